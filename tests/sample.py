"""A synthetic case with every field filled, values unlike each other and their defaults."""

from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType

from retention.case import CONTACT_SLOTS, Case, Contact
from retention.choices import ACTIONS, AREAS, CHANNELS, REASONS


def full_case(case_id: str = "RET-2025-0042") -> Case:
    """Every field of the form set to something that must survive a trip to the sheet."""
    return Case(
        case_id=case_id,
        analyst="Ana Exemplo",
        form_date=date(2025, 6, 17),
        cro_count=3,
        operator="ODONTOLIFE",
        cro="0012345",
        cro_uf="MS",
        dentist_name="Maria Fictícia Lima",
        cnpj="00000000000191",
        cpf="01234567890",
        inclusion_date=date(2024, 9, 26),
        person_type="J",
        requested_by="Prestador",
        protocol="SAD000000000001",
        protocol_date=date(2025, 5, 2),
        uf="MT",
        city="Campo Grande",
        lives=1971,
        unique_cros=65,
        other_plans="SIM",
        other_plans_which='=HYPERLINK("http://x","y")',
        currency_value=Decimal("0.2854"),
        last_production=date(2025, 4, 30),
        last_production_value=Decimal("1234.56"),
        start_date=date(2025, 5, 2),
        end_date=date(2025, 6, 17),
        status="Retenção Efetiva",
        contacts=tuple(
            Contact(
                date(2025, 5, 8 + n),
                CHANNELS[n % len(CHANNELS)],
                f"+55 67 90000-000{n}\n[12:27, 09/05/2025] ☑: mensagem {n} 😀",
            )
            for n in range(CONTACT_SLOTS)
        ),
        areas=frozenset(AREAS[::2]),
        dentists_per_area=MappingProxyType({area: n for n, area in enumerate(AREAS)}),
        actions=frozenset(ACTIONS[1::2]),
        actions_note="-5 de desconto",
        reasons=frozenset({REASONS[0], REASONS[-2], REASONS[-1]}),
        reasons_note="@agenda lotada",
        prints_in_protocol=True,
        competitor_search=True,
        protocol_needed="NÃO",
        responsible_sector="Análise Técnica",
        final_message_at=datetime(2025, 6, 17, 9, 3),
        final_message_from="CLINICA EXEMPLO - DENTALUN 18013",
        final_message_text="+Bom dia!\n\nPode dar andamento.",
        general_notes="Obs. geral com 'aspas' e \"aspas\"",
        analyst_signature="Beatriz Exemplo",
        supervisor="Carlos Supervisor",
        supervisor_signature="Carlos Supervisor",
        signed_on=date(2025, 6, 18),
        sign_off_comment="=Conferido com a analista; -sem ressalvas",
        created_at=datetime(2025, 5, 2, 8, 0, 1),
        updated_at=datetime(2025, 6, 17, 9, 4, 59),
        updated_by="Carlos Supervisor",
        write_key="3f2a9c1e8b7d4e6fa0c5b2d1e9f8a7c6",
    )
