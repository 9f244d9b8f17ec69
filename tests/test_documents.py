"""CPF and CNPJ check digits and display formats."""

import pytest

from retention import documents


@pytest.mark.parametrize(
    ("cpf", "valid"),
    [
        ("52998224725", True),
        ("529.982.247-25", True),
        ("012.345.678-90", True),
        (" 529 982 247 25 ", True),
        ("52998224724", False),
        ("52998224735", False),
        ("5299822472", False),
        ("529982247250", False),
        ("00000000000", False),
        ("abcdefghijk", False),
        ("", False),
    ],
)
def test_cpf_check_digits(cpf, valid):
    assert documents.is_valid_cpf(cpf) is valid


@pytest.mark.parametrize(
    ("cnpj", "valid"),
    [
        ("11222333000181", True),
        ("11.222.333/0001-81", True),
        ("00.000.000/0001-91", True),
        ("12.ABC.345/01DE-35", True),  # alphanumeric CNPJ, Receita Federal's example
        ("12abc34501de35", True),
        ("11222333000182", False),
        ("11222333000191", False),
        ("12ABC34501DE36", False),
        ("12ABC34501DEA5", False),
        ("1122233300018", False),
        ("11111111111111", False),
        ("", False),
    ],
)
def test_cnpj_check_digits(cnpj, valid):
    assert documents.is_valid_cnpj(cnpj) is valid


def test_documents_display_formatted_with_leading_zeros():
    assert documents.format_cpf("01234567890") == "012.345.678-90"
    assert documents.format_cnpj("00000000000191") == "00.000.000/0001-91"
    assert documents.format_cnpj("12ABC34501DE35") == "12.ABC.345/01DE-35"


def test_unexpected_text_is_shown_as_it_is():
    assert documents.format_cpf("123") == "123"
    assert documents.format_cnpj("") == ""
