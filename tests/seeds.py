"""The first paper form of ``shared/seeds`` (form-case-terminated-clinic.md) as form input.

People, documents and phone numbers there are fictitious; the CPF and CNPJ are well-known
check-digit test values.
"""

from datetime import date, datetime
from decimal import Decimal

CONTACT_3 = (
    "[12:27, 09/05/2025] ☑: Visto que conforme clausula contratual RESCISÃO Décima Primeira,"
    " era dever da clinica nos informar com 60 dias de antecedencia antes de parar de atender"
    " aos pacientes, o que não ocorreu.\n"
    "[17:49, 13/05/2025] ☑: Aguardamos retorno urgenteente\n"
    "[12:34, 16/05/2025] +55 67 90000-0001: Olá É q estamos com agenda lotada No momento\n"
    "[12:34, 16/05/2025] +55 67 90000-0001: Por enquanto estamos tendo Vaga para por aparelho"
)
CONTACT_4 = (
    "Conforme nota anterior, clinica deu retorno aps eu questiona-los acerca da clausula"
    " contratual de rescisão e a questão da solicitação com antecedencia de 60 dias ."
    " Informaram que o motivo do desligamento é agenda lotada no momento.\n"
    "Informou que o que tem disponivel é agenda para por aparelho. Ofertei atualização"
    " cadastral sugerindo para a doutora suspender provisoriamente a divulgação das demais"
    " areas visto que está tendo agenda somente para orto, e posteriormente retomar a divulgar"
    " as areas no site quando abrir agenda novamente."
)
FINAL_MESSAGE = (
    "Bom dia!\n\nOrtodontia não supre a nossa demanda, pode dar andamento ao processo de"
    " desligamento, por gentileza."
)
AREAS_TICKED = [
    "Cirurgia",
    "Dentística",
    "Endodontia",
    "Ortodontia",
    "Periodontia",
    "Prótese Dentária",
    "Clínico Geral",
    "Odontopediatria",
]

CLINIC_FORM: dict[str, object] = {
    "analyst": "ANA EXEMPLO SOUZA",
    "form_date": "17/06/2025",
    "cro_count": "3",
    "operator": "ODONTOLIFE",
    "cro": "12345",
    "cro_uf": "MS",
    "dentist_name": "MARIA FICTICIA LIMA",
    "cnpj": "11222333000181",
    "cpf": "52998224725",
    "inclusion_date": "26/09/2024",
    "person_type": "J",
    "requested_by": "Operadora",
    "protocol": "SAD000000000001",
    "protocol_date": "02/05/2025",
    "uf": "MS",
    "city": "CAMPO GRANDE",
    "lives": "1.971",
    "unique_cros": "65",
    "currency_value": "0,30",
    "last_production": "-",
    "last_production_value": "R$ -",
    "start_date": "02/05/2025",
    "end_date": "17/06/2025",
    "status": "Desligamento",
    "contacts-0-day": "08/05/2025",
    "contacts-0-notes": (
        "Bom dia,\r\nSem retorno no whatsapp.\r\nEncaminhado nova mensagem.\r\nEncaminhado E-mail;"
    ),
    "contacts-1-notes": (
        "Boa tarde, Não trata-se de uma PERCA DE CONTATO, as mensagens estão sendo visualizadas,"
        " a clinica quem não está respondendo.\r\nEncaminhado mensagem novamente com a clausula"
        " contratual referente ao dever da clinica informar com antecedencia o interesse no"
        " descredenciamento."
    ),
    "contacts-2-notes": CONTACT_3,
    "contacts-3-notes": CONTACT_4,
    "areas": AREAS_TICKED,
    "prints_in_protocol": "y",
    "competitor_search": "y",
    "final_message_at": "17/06/2025 09:03",
    "final_message_from": "CLINICA EXEMPLO - DENTALUN 18013",
    "final_message_text": FINAL_MESSAGE,
    "analyst_signature": "Beatriz Exemplo",
    "supervisor": "Carlos Supervisor",
}

# What the sheet row must hold for that form, header by header (empty cells omitted).
CLINIC_ROW: dict[str, object] = {
    "Status retenção": "Desligamento",
    "Colaborador": "ANA EXEMPLO SOUZA",
    "Data": date(2025, 6, 17),
    "Qtd CRO(s)": 3,
    "Operadora": "ODONTOLIFE",
    "CRO": "12345",
    "UF do CRO": "MS",
    "Nome dentista": "MARIA FICTICIA LIMA",
    "CNPJ": "11222333000181",
    "CPF": "52998224725",
    "Data inclusão": date(2024, 9, 26),
    "Tipo": "J",
    "Demandado por": "Operadora",
    "Nº do protocolo": "SAD000000000001",
    "Dt. abertura protocolo": date(2025, 5, 2),
    "UF": "MS",
    "Cidade": "CAMPO GRANDE",
    "Nº de vidas": 1971,
    "Nº CRO(s) únicos divulgados": 65,
    "Moeda": Decimal("0.30"),
    "Data início": date(2025, 5, 2),
    "Data final": date(2025, 6, 17),
    "Tempo finalização (dias)": 46,
    "1º contato - Data": date(2025, 5, 8),
    "1º contato - Obs.": (
        "Bom dia,\nSem retorno no whatsapp.\nEncaminhado nova mensagem.\nEncaminhado E-mail;"
    ),
    "2º contato - Obs.": (
        "Boa tarde, Não trata-se de uma PERCA DE CONTATO, as mensagens estão sendo visualizadas,"
        " a clinica quem não está respondendo.\nEncaminhado mensagem novamente com a clausula"
        " contratual referente ao dever da clinica informar com antecedencia o interesse no"
        " descredenciamento."
    ),
    "3º contato - Obs.": CONTACT_3,
    "4º contato - Obs.": CONTACT_4,
    "Áreas divulgadas": "; ".join(AREAS_TICKED),
    "Ofertado Novos Valores": False,
    "Ofertado Suporte": False,
    "Ofertado Divulgação": False,
    "Ofertado Treinamento": False,
    "Ofertado Reciclagem": False,
    "Ação Retenção - Outros": False,
    "Evidenciado com prints no protocolo": True,
    "Buscado contato nas redes concorrentes": True,
    "Mensagem final - Data": datetime(2025, 6, 17, 9, 3),
    "Mensagem final - De": "CLINICA EXEMPLO - DENTALUN 18013",
    "Mensagem final - Texto": FINAL_MESSAGE,
    "Assinatura colaborador": "Beatriz Exemplo",
    "Supervisor": "Carlos Supervisor",
    "Atualizado por": "Sara Supervisora",  # who was signed in: tests.conftest.PEOPLE
}
