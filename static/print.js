// The print page's "Imprimir" button: shown only where a script can open the print dialog.
document.querySelectorAll(".print-now").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
