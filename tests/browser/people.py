"""Dentists of the browser tests' own: each test that opens a case names another dentist, so
no test meets another's open case (which the new-case form warns about)."""

import itertools

from tests.seeds import CLINIC_FORM

_numbers = itertools.count(1)


def cpf_for(base: int) -> str:
    """A CPF with valid check digits, built from a nine-digit number."""
    digits = [int(c) for c in f"{base:09d}"]
    for size in (9, 10):
        total = sum(d * w for d, w in zip(digits, range(size + 1, 1, -1), strict=True))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)
    return "".join(map(str, digits))


def cnpj_for(base: int) -> str:
    """A CNPJ with valid check digits, built from a twelve-digit number."""
    digits = [int(c) for c in f"{base:012d}"]
    for size in (12, 13):
        weights = [*range(size - 7, 1, -1), *range(9, 1, -1)]
        total = sum(d * w for d, w in zip(digits, weights, strict=True))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)
    return "".join(map(str, digits))


def another_dentist(**changes: object) -> dict[str, object]:
    """The seed form for a dentist of its own (CRO, CPF, no CNPJ, Tipo F), with ``changes``."""
    number = next(_numbers)
    return {
        **CLINIC_FORM,
        "cro": f"9{number:04d}",
        "cro_uf": "SP",
        "cnpj": "",
        "cpf": cpf_for(140_000_000 + number * 7919),
        "person_type": "F",
        "dentist_name": f"DENTISTA DE TESTE {number}",
        **changes,
    }
