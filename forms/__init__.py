"""WTForms forms: pt-BR input -> validated Case, and Case -> form for editing."""
