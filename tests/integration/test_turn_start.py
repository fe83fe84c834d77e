"""What every update reads first, in one statement: the chat's state and who is writing, with
the customer's name (issue 11, benchmark 1); the same answers as the separate reads gave."""

from __future__ import annotations

from domain.conversation import ChatState
from domain.model import Channel, Role
from domain.services import accounts
from domain.services.context import Context
from tests.conftest import Seed


async def test_a_linked_user_in_a_chat_with_state(ctx: Context, seed: Seed) -> None:  # R22
    async with ctx.uow() as uow:
        await uow.chats.save(ChatState(100, "en", "order_quantity", None, ticket_id=7), ctx.now())
        await uow.commit()
    async with ctx.uow(write=False) as uow:
        state, found = await uow.chats.with_user(100, Channel.TELEGRAM, "100")
        separate = await accounts.identify(ctx.bound(uow), Channel.TELEGRAM, "100")
    assert state == ChatState(100, "en", "order_quantity", None, ticket_id=7)
    assert found is not None
    user, name = found
    assert name == "ACME GmbH"
    assert separate is not None
    assert user.as_actor() == separate.actor == seed.acme_admin
    assert (user.role, user.customer_id) == (Role.ADMIN, "acme")


async def test_a_new_chat_of_an_unknown_user_gives_default_state_and_nobody(
    ctx: Context, seed: Seed
) -> None:  # R22: unknown users see only general help
    async with ctx.uow(write=False) as uow:
        state, found = await uow.chats.with_user(555, Channel.TELEGRAM, "555")
    assert (state, found) == (ChatState(555), None)


async def test_an_agent_has_no_customer_name_and_a_rasa_sender_is_someone_else(
    ctx: Context, seed: Seed
) -> None:  # R23 agents have no customer; identity is per channel
    async with ctx.uow(write=False) as uow:
        state, agent = await uow.chats.with_user(900, Channel.TELEGRAM, "900")
        _, stranger = await uow.chats.with_user(100, Channel.RASA, "100")
    assert state == ChatState(900)
    assert agent is not None
    assert (agent[0].role, agent[0].customer_id, agent[1]) == (Role.AGENT, None, None)
    assert stranger is None
