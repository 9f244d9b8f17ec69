"""Every fixed list of options on the paper form, defined once for forms, sheet and indicators."""

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retention.case import Case  # which imports this module

UFS: tuple[str, ...] = (
    "AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA",
    "PB", "PE", "PI", "PR", "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO",
)  # fmt: skip

STATUS_OPEN = "Em andamento"
STATUS_DISMISSED = "Desligamento"
STATUSES: tuple[str, ...] = (
    STATUS_OPEN,
    "Retenção Efetiva",
    STATUS_DISMISSED,
    "Não se trata de Retenção",
)

PERSON_TYPES: dict[str, str] = {"F": "F - Pessoa física", "J": "J - Pessoa jurídica"}

REQUESTED_BY: tuple[str, ...] = ("Operadora", "Prestador")

YES, NO = "SIM", "NÃO"
YES_NO: tuple[str, ...] = (YES, NO)

CHANNELS: tuple[str, ...] = ("WhatsApp", "E-mail", "Telefone", "Presencial", "Outro")

AREAS: tuple[str, ...] = (
    "Cirurgia",
    "Dentística",
    "Endodontia",
    "Ortodontia",
    "Radiologia",
    "Periodontia",
    "Prótese Dentária",
    "Clínico Geral",
    "Urgência e Emergência",
    "Odontopediatria",
)

OTHER = "Outros"

ACTIONS: tuple[str, ...] = (
    "Ofertado Novos Valores",
    "Ofertado Suporte",
    "Ofertado Divulgação",
    "Ofertado Treinamento",
    "Ofertado Reciclagem",
    OTHER,
)

REASONS: tuple[str, ...] = (
    "Perda de Contato",
    "Problemas de Saúde",
    "Beneficiário Grosseiro",
    "Valores",
    "Franquia",
    "Alteração Responsável Técnico",
    "Removido Prestador",
    "Sem Local de Atendimento",
    "Glosas",
    "Dificuldades com o Sistema",
    "Prazo Liberação de Guias",
    "Encerramento de Atividades",
    "Regras Técnicas",
    "Apenas Procedimentos Estéticos",
    "Aposentou",
    "Baixa Procura",
    "Dificuldade de Contato com a Central",
    "Falta de Suporte da Operadora",
    "Cobrança Indevida",
    "Burocracia Operadora",
    "Negativa de Atendimento",
    "Ameaça Judicialização",
    "Terceirização de Atendimento",
    "Migração",
    "Carteira de Clientes Particular",
    "Estudos",
    "Servidor Público",
    "Mudou de Área",
    "Óbito",
    "Falta de Reajuste",
    OTHER,
)


def with_extras(options: tuple[str, ...], chosen: frozenset[str]) -> list[str]:
    """``options`` followed by chosen values that are not among them (typed into the sheet)."""
    return [*options, *sorted(chosen - set(options))]


def operators_in(cases: Iterable["Case"]) -> list[str]:
    """The operadoras the cases name, in order: the options offered for Operadora."""
    return sorted({case.operator for case in cases if case.operator})


SECTORS: tuple[str, ...] = ("TI", "Central de atendimento", "Análise Técnica", "Comercial")
