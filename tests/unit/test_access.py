"""Who may do what for which customer (R23, R24), via domain.access.authorize."""

from __future__ import annotations

import pytest

from domain import errors
from domain.access import Action, asks_instead, authorize, can_see_all_customers, may
from domain.model import Actor, Channel, Role

ACME_ADMIN = Actor(Role.ADMIN, Channel.TELEGRAM, "acme", user_id=1, label="Anna")
ACME_MEMBER = Actor(Role.MEMBER, Channel.TELEGRAM, "acme", user_id=2, label="Moritz")
GLOBEX_ADMIN = Actor(Role.ADMIN, Channel.RASA, "globex", user_id=3, label="Gabi")
AGENT = Actor(Role.AGENT, Channel.TELEGRAM, None, user_id=9, label="Desk")
OPERATOR = Actor(Role.OPERATOR, Channel.CLI, None, label="ops")

WRITES = [Action.ORDER, Action.CHANGE, Action.ADDON, Action.CANCEL]


# --- admin ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("action", [Action.VIEW, *WRITES])
def test_admin_may_view_order_change_book_addons_and_cancel_for_own_customer(
    action: Action,
) -> None:  # R23
    authorize(ACME_ADMIN, action, "acme")  # no exception


@pytest.mark.parametrize("action", [Action.PROVISION, Action.ADMINISTER])
def test_admin_may_not_provision_or_administer(action: Action) -> None:  # R23
    with pytest.raises(errors.PermissionDenied) as caught:
        authorize(ACME_ADMIN, action, "acme")
    assert caught.value.action == action.value
    assert caught.value.role == "admin"
    assert caught.value.can_request is False


@pytest.mark.parametrize("action", list(Action))
def test_admin_of_another_customer_is_told_the_customer_is_not_found(action: Action) -> None:
    # R24: never confirm that another customer exists, whatever the action.
    with pytest.raises(errors.CustomerNotFound) as caught:
        authorize(GLOBEX_ADMIN, action, "acme")
    assert caught.value.customer_id == "acme"


def test_unknown_and_foreign_customer_look_the_same() -> None:  # R24
    with pytest.raises(errors.CustomerNotFound) as foreign:
        authorize(GLOBEX_ADMIN, Action.VIEW, "acme")
    with pytest.raises(errors.CustomerNotFound) as unknown:
        authorize(GLOBEX_ADMIN, Action.VIEW, "no-such-customer")
    assert type(foreign.value) is type(unknown.value)
    assert set(foreign.value.params()) == set(unknown.value.params()) == {"customer_id"}


def test_user_without_customer_may_not_touch_any_customer() -> None:  # R22, R24
    unlinked_admin = Actor(Role.ADMIN, Channel.TELEGRAM, None)
    with pytest.raises(errors.CustomerNotFound):
        authorize(unlinked_admin, Action.VIEW, "acme")


# --- member ---------------------------------------------------------------------------------------
def test_member_may_view_own_customer() -> None:  # R23
    authorize(ACME_MEMBER, Action.VIEW, "acme")  # no exception


@pytest.mark.parametrize("action", WRITES)
def test_member_writes_are_denied_but_may_be_requested_from_an_admin(action: Action) -> None:
    # R23: a member may *request* an order or change.
    with pytest.raises(errors.PermissionDenied) as caught:
        authorize(ACME_MEMBER, action, "acme")
    assert caught.value.action == action.value
    assert caught.value.role == "member"
    assert caught.value.can_request is True


@pytest.mark.parametrize("action", [Action.PROVISION, Action.ADMINISTER])
def test_member_may_not_request_provider_actions(action: Action) -> None:  # R23
    with pytest.raises(errors.PermissionDenied) as caught:
        authorize(ACME_MEMBER, action, "acme")
    assert caught.value.can_request is False


def test_member_of_another_customer_gets_customer_not_found_not_permission_denied() -> None:
    # R24: the customer check comes first, so nothing about acme leaks.
    globex_member = Actor(Role.MEMBER, Channel.TELEGRAM, "globex")
    with pytest.raises(errors.CustomerNotFound):
        authorize(globex_member, Action.ORDER, "acme")


# --- agent ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("customer_id", ["acme", "globex", None])
def test_agent_may_view_and_provision_for_any_customer(customer_id: str | None) -> None:  # R23
    authorize(AGENT, Action.VIEW, customer_id)
    authorize(AGENT, Action.PROVISION, customer_id)  # no exception


@pytest.mark.parametrize("action", WRITES)
def test_agent_may_not_order_change_book_or_cancel_for_the_customer(action: Action) -> None:
    # R23: the agent prepares, a customer admin confirms with the R5 consents.
    with pytest.raises(errors.PermissionDenied) as caught:
        authorize(AGENT, action, "acme")
    assert caught.value.role == "agent"
    assert caught.value.can_request is False


def test_agent_may_not_administer() -> None:  # R23
    with pytest.raises(errors.PermissionDenied):
        authorize(AGENT, Action.ADMINISTER, None)


def test_only_agents_and_operators_see_all_customers() -> None:  # R23, R24
    assert can_see_all_customers(AGENT)
    assert can_see_all_customers(OPERATOR)
    assert not can_see_all_customers(ACME_ADMIN)
    assert not can_see_all_customers(ACME_MEMBER)


# --- operator -------------------------------------------------------------------------------------
@pytest.mark.parametrize("customer_id", ["acme", None])
def test_operator_may_administer_view_and_provision(customer_id: str | None) -> None:
    for action in (Action.ADMINISTER, Action.VIEW, Action.PROVISION):
        authorize(OPERATOR, action, customer_id)  # no exception


@pytest.mark.parametrize("actor", [ACME_ADMIN, ACME_MEMBER, AGENT], ids=lambda a: a.role.value)
@pytest.mark.parametrize("customer_id", ["acme", None])
def test_nobody_but_the_operator_may_administer(actor: Actor, customer_id: str | None) -> None:
    # R23, R24
    with pytest.raises(errors.PermissionDenied) as caught:
        authorize(actor, Action.ADMINISTER, customer_id)
    assert caught.value.action == "administer"


@pytest.mark.parametrize("channel", list(Channel))
def test_rights_do_not_depend_on_the_channel(channel: Channel) -> None:  # R24
    member = Actor(Role.MEMBER, channel, "acme")
    with pytest.raises(errors.PermissionDenied):
        authorize(member, Action.ORDER, "acme")
    authorize(Actor(Role.ADMIN, channel, "acme"), Action.ORDER, "acme")


# --- asking instead of doing (R23) -------------------------------------------------------------
def test_a_member_asks_for_orders_changes_add_ons_and_cancellations_an_admin_does_them() -> (
    None
):  # R23 (issue 18: a cancellation is asked for too)
    for action in (Action.ORDER, Action.CHANGE, Action.ADDON, Action.CANCEL):
        assert asks_instead(ACME_MEMBER, action, "acme") is True
        assert asks_instead(ACME_ADMIN, action, "acme") is False
    with pytest.raises(errors.PermissionDenied):  # nor operating the service
        asks_instead(ACME_MEMBER, Action.PROVISION, "acme")
    with pytest.raises(errors.CustomerNotFound):  # R24
        asks_instead(ACME_MEMBER, Action.ORDER, "globex")
    with pytest.raises(errors.PermissionDenied):  # the desk prepares, it does not ask
        asks_instead(AGENT, Action.ORDER, "acme")
    assert may(ACME_ADMIN, Action.DECIDE, "acme") and not may(ACME_MEMBER, Action.DECIDE, "acme")
