"""CPF and CNPJ: normalisation, check digits and display format.

CNPJ accepts the alphanumeric form in force since July 2026 (12 characters 0-9/A-Z plus two
check digits); numeric CNPJs are the special case whose characters are all digits.
"""

import re

_SEPARATORS = re.compile(r"[\s./-]")


def normalize(raw: str) -> str:
    """Strip the punctuation people type in documents and upper-case the rest."""
    return _SEPARATORS.sub("", raw or "").upper()


def _check_digit(values: list[int], weights: list[int]) -> int:
    rest = sum(v * w for v, w in zip(values, weights, strict=True)) % 11
    return 0 if rest < 2 else 11 - rest


def _cpf_weights(count: int) -> list[int]:
    return list(range(count + 1, 1, -1))


def _cnpj_weights(count: int) -> list[int]:
    # 5,4,3,2,9,8,...,2 for twelve values; one more leading weight for thirteen.
    return [(count - 1 - i) % 8 + 2 for i in range(count)]


def is_valid_cpf(raw: str) -> bool:
    """Whether ``raw`` is a CPF with correct check digits (formatted or bare)."""
    cpf = normalize(raw)
    if not re.fullmatch(r"\d{11}", cpf) or cpf == cpf[0] * 11:
        return False
    digits = [int(c) for c in cpf]
    first = _check_digit(digits[:9], _cpf_weights(9))
    second = _check_digit(digits[:10], _cpf_weights(10))
    return digits[9:] == [first, second]


def is_valid_cnpj(raw: str) -> bool:
    """Whether ``raw`` is a CNPJ (numeric or alphanumeric) with correct check digits."""
    cnpj = normalize(raw)
    if not re.fullmatch(r"[0-9A-Z]{12}\d{2}", cnpj) or cnpj == cnpj[0] * 14:
        return False
    values = [ord(c) - ord("0") for c in cnpj]
    first = _check_digit(values[:12], _cnpj_weights(12))
    second = _check_digit(values[:13], _cnpj_weights(13))
    return values[12:] == [first, second]


def format_cpf(cpf: str) -> str:
    """``12345678909`` -> ``123.456.789-09``; anything else is returned unchanged."""
    if not re.fullmatch(r"\d{11}", cpf or ""):
        return cpf or ""
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"


def mask_cpf(cpf: str) -> str:
    """``12345678909`` -> ``***.456.789-**`` (LGPD: lists show only the middle digits)."""
    digits = re.sub(r"\D", "", cpf or "")
    if len(digits) != 11:
        return "***" if digits else ""
    return f"***.{digits[3:6]}.{digits[6:9]}-**"


_CPF_IN_TEXT = re.compile(r"(?<!\d)\d{3}\.?\d{3}\.?\d{3}-?\d{2}(?!\d)")


def mask_cpfs(text: str) -> str:
    """``text`` with each CPF in it masked as ``mask_cpf`` does: ``***.456.789-**``."""
    return _CPF_IN_TEXT.sub(lambda match: mask_cpf(match.group(0)), text)


# A Brazilian phone number with its area code: +55 (67) 99999-1234, 67 3333-4444, 67999991234.
_PHONE = re.compile(r"(?<!\d)(?:\+?55[\s.-]?)?\(?\d{2}\)?[\s.-]?(9?\d{4})[\s.-]?(\d{4})(?!\d)")


def mask_phones(text: str) -> str:
    """``text`` with each phone number's digits hidden but the last 4: ``(**) *****-1234``."""
    return _PHONE.sub(lambda m: f"(**) {'*' * len(m.group(1))}-{m.group(2)}", text)


def format_cnpj(cnpj: str) -> str:
    """``11222333000181`` -> ``11.222.333/0001-81``; anything else is returned unchanged."""
    if not re.fullmatch(r"[0-9A-Z]{12}\d{2}", cnpj or ""):
        return cnpj or ""
    return f"{cnpj[:2]}.{cnpj[2:5]}.{cnpj[5:8]}/{cnpj[8:12]}-{cnpj[12:]}"
