"""The team page in Chromium: a supervisor creates an analyst, who signs in with the one-time
password and must choose her own before opening any other page."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, STEP_TIMEOUT, Visit

pytestmark = pytest.mark.browser


def stranger(laptop: Visit) -> Visit:
    """Another person's browser, on the same server, signed out."""
    context = laptop.page.context.browser.new_context(  # type: ignore[union-attr]
        locale="pt-BR", timezone_id="America/Sao_Paulo", viewport=LAPTOP
    )
    context.set_default_timeout(STEP_TIMEOUT)
    return Visit(context, laptop.server, laptop.folder)


def test_a_new_analyst_signs_in_with_the_one_time_password_and_must_change_it(laptop: Visit):
    page = laptop.goto("/equipe")
    page.get_by_label("Nome").fill("Bruna Fictícia")
    page.get_by_label("Usuário").fill("bruna")
    page.get_by_label("Perfil").last.select_option(label="Analista")
    page.get_by_label("E-mail").last.fill("bruna@exemplo.com.br")
    page.get_by_role("button", name="Criar conta").click()
    handover = page.locator(".one-time-password")
    expect(handover).to_be_visible()
    password = handover.inner_text()
    card = page.get_by_role("region", name="Bruna Fictícia bruna")
    expect(card).to_contain_text("troca a senha no próximo acesso")
    laptop.shot("team-1-account-created")

    bruna = stranger(laptop)
    try:
        sign_in = bruna.goto("/entrar")
        sign_in.locator("#username").fill("bruna")
        sign_in.locator("#password").fill(password)
        sign_in.get_by_role("button", name="Entrar").click()
        sign_in.wait_for_url(bruna.server.url + "/trocar-senha")
        expect(sign_in.get_by_role("status")).to_contain_text("senha provisória")
        bruna.shot("team-2-first-sign-in-asks-for-a-new-password")
        bruna.goto("/indicadores")
        assert sign_in.url == bruna.server.url + "/trocar-senha"  # no other page until then

        sign_in.get_by_label("Senha atual", exact=True).fill(password)
        sign_in.get_by_label("Nova senha", exact=True).fill("bruna-escolheu-1")
        sign_in.get_by_label("Repita a nova senha").fill("bruna-escolheu-1")
        sign_in.get_by_role("button", name="Trocar senha").click()
        sign_in.wait_for_url(bruna.server.url + "/")
        expect(sign_in.get_by_role("status").first).to_contain_text("Senha trocada.")
        expect(sign_in.locator("header .user")).to_contain_text("Bruna Fictícia (Analista)")
        bruna.shot("team-3-password-changed")
        assert bruna.outside == [] and bruna.page_errors == []
    finally:
        bruna.context.close()

    page.reload()
    expect(card).not_to_contain_text("troca a senha no próximo acesso")
