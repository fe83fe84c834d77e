"""The terminal client of `licencebot chat`: one emulated user's chat with the bot, as text.

It prints the bot's new and edited messages, the buttons of the newest screen numbered, and the
text of the bot's callback answers as Telegram shows it (an alert or a toast). A typed number
presses a button, any other line is sent as a message. Given a `desk` group, it also prints the
bot's new and edited messages there, headed by the group's title and the topic's name, in the
order the bot sent them (their buttons are listed, not numbered: the user cannot press them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, TextIO

from bot.emulator.groups import EmulatedGroup
from bot.emulator.model import ChatEvent, SentMessage
from bot.emulator.server import BotApiEmulator
from bot.emulator.users import EmulatedUser
from domain.texts.i18n import Translator


class Busy(Protocol):
    """A bot application that counts the updates its handlers are still working on."""

    @property
    def in_flight(self) -> int: ...


class Terminal:
    """Prints what the bot does in the demo chat and turns input into updates."""

    def __init__(
        self,
        emu: BotApiEmulator,
        user: EmulatedUser,
        tr: Translator,
        out: TextIO,
        applications: Sequence[Busy],
        desk: EmulatedGroup | None = None,
        people: Mapping[str, EmulatedUser] | None = None,
        app_link: Callable[[EmulatedUser], str] | None = None,
    ) -> None:
        self.emu, self.user, self.tr, self.out = emu, user, tr, out
        self.applications = applications
        self.desk = desk
        self.people = dict(people or {})  # `/as <name>` switches to one of them
        self.app_link = app_link  # the Mini App with signed launch data for a person (`/app`)
        self._seen: dict[int, int] = {}  # per person: how many of their chat's events shown
        self._desk_seen = 0
        self._agent_in_desk = True  # where the agent's last screen came from: group or own chat
        self._buttons: list[tuple[SentMessage, dict[str, str]]] = []

    async def run(self, source: TextIO) -> None:
        """Handle the lines of `source` until it ends or the user leaves."""
        while (line := await _read_line(source)) is not None and await self.handle(line):
            pass

    async def handle(self, line: str) -> bool:
        """One line of input; False when the user wants to leave."""
        line = line.strip()
        if not line:
            return True
        if line in ("/quit", "/exit"):
            return False
        if line.startswith("/as"):
            self._switch(line.removeprefix("/as").strip())
            return True
        if line == "/app" and self.app_link is not None:
            self.show_app_link()
            return True
        query_id: str | None = None
        if line.isdigit():
            query_id = await self._press(int(line))
            if query_id is None:
                return True
        elif self._at_desk() and not line.startswith("/"):
            await self._write_at_desk(line.removeprefix("'"))
        else:
            await self.user.send(line.removeprefix("'"))
        await self._settle()
        if query_id is not None:
            self._show_answer(query_id)
        self.show_new()
        return True

    def _switch(self, name: str) -> None:
        """`/as admin|member|agent`: type and press as another demo person from now on."""
        person = self.people.get(name)
        if person is None:
            print(self.tr("chat_cli.as_usage", names=", ".join(self.people)), file=self.out)
            return
        self.user = person  # what arrived in their chat meanwhile is shown next
        name = f"{person.first_name} {person.last_name or ''}".strip()
        print(self.tr("chat_cli.as", name=name), file=self.out)
        self.show_new()

    def _is_agent(self) -> bool:
        agent = self.people.get("agent")
        return self.desk is not None and agent is not None and self.user.id == agent.id

    def _at_desk(self) -> bool:
        """The agent types and presses in the service desk group, unless the bot's newest
        message came to the agent's own chat (`/customer`); commands go to the own chat."""
        return self._is_agent() and self._agent_in_desk

    async def _write_at_desk(self, text: str) -> None:
        """An agent's message: in the topic of the newest ticket message, else in the group."""
        assert self.desk is not None
        threads = [m.message_thread_id for m in self.desk.messages() if m.message_thread_id]
        await self.desk.send(self.user, text, thread=threads[-1] if threads else None)

    def show_new(self) -> None:
        """Print the bot's messages sent or edited since the last call, then the buttons."""
        seen = self._seen.get(self.user.id, 0)
        events = [(event, self.user.id) for event in self.emu.events(self.user.id)[seen:]]
        self._seen[self.user.id] = seen + len(events)
        if self.desk is not None:
            desk_events = self.emu.events(self.desk.id)[self._desk_seen :]
            self._desk_seen += len(desk_events)
            events += [(event, self.desk.id) for event in desk_events]
            events.sort(key=lambda seen: seen[0].seq)  # in the order the bot did it
        for event, chat_id in events:
            self._show(event, chat_id)
        if events and self._is_agent() and self.desk is not None:
            self._agent_in_desk = events[-1][1] == self.desk.id  # answer where the bot spoke
        self._list_buttons()

    def _show(self, event: ChatEvent, chat_id: int) -> None:
        """Print one message the bot sent or edited (in the desk group with its heading)."""
        if event.kind == "deleted":
            return
        message = next(
            (m for m in self.emu.messages(chat_id) if m.message_id == event.message_id), None
        )
        if message is None:
            return
        if event.kind == "edited" and _only_buttons_changed(message):
            return
        marker = " " + self.tr("chat_cli.edited") if event.kind == "edited" else ""
        if self.desk is None or chat_id != self.desk.id:
            print(f"\n\N{ROBOT FACE}{marker}\n{message.plain_text}", file=self.out)
            return
        heading = self.desk.title
        topics = self.desk.topics()
        if message.message_thread_id in topics:
            heading += f" \N{MIDDLE DOT} {topics[message.message_thread_id]}"
        print(f"\n\N{BUSTS IN SILHOUETTE} {heading}{marker}\n{message.plain_text}", file=self.out)
        if message.buttons():
            print("  (" + " | ".join(message.buttons()) + ")", file=self.out)

    def show_app_link(self) -> None:
        """The Mini App in a browser, signed for the current person (valid for an hour)."""
        if self.app_link is not None:
            print(self.tr("chat_cli.app", url=self.app_link(self.user)), file=self.out)

    async def _press(self, number: int) -> str | None:
        """Press the button with this number; the callback query's id, None without a button."""
        if 1 <= number <= len(self._buttons) and "web_app" in self._buttons[number - 1][1]:
            self.show_app_link()  # Telegram would open the Mini App
            return None
        if (
            not 1 <= number <= len(self._buttons)
            or "callback_data" not in self._buttons[number - 1][1]
        ):
            print(self.tr("chat_cli.no_button", count=len(self._buttons)), file=self.out)
            return None
        screen, pressed = self._buttons[number - 1]
        if self._at_desk():
            assert self.desk is not None
            update = await self.desk.press_data(
                self.user, screen.message_id, pressed["callback_data"]
            )
        else:
            update = await self.user.press_data(screen.message_id, pressed["callback_data"])
        return str(update["callback_query"]["id"])

    def _show_answer(self, query_id: str) -> None:
        """Print the text of the bot's answer to a press, as an alert (⚠) or a toast (ℹ)."""
        answer = self.emu.callback_answers.get(query_id)
        if answer is None or not answer.text:
            return
        sign = "\N{WARNING SIGN}" if answer.show_alert else "\N{INFORMATION SOURCE}"
        print(f"  {sign} {answer.text}", file=self.out)

    def _list_buttons(self) -> None:
        chat = self.desk.id if self._at_desk() and self.desk is not None else self.user.id
        with_buttons = [m for m in self.emu.messages(chat) if m.inline_keyboard]
        self._buttons = []
        if not with_buttons:
            return
        screen = with_buttons[-1]
        keyboard = screen.inline_keyboard or {}
        for row in keyboard.get("inline_keyboard", []):
            cells = []
            for cell in row:
                self._buttons.append((screen, cell))
                label = cell["text"]
                if "url" in cell:
                    link = self.tr("chat_cli.link")
                    label += f" ({link}: {cell['url']})"
                cells.append(f"[{len(self._buttons)}] {label}")
            print("  ".join(cells), file=self.out)

    async def _settle(self) -> None:
        """Wait until every delivered update is fully handled and the bot has gone quiet."""
        for _ in range(1000):
            await self.emu.settle(timeout=30)
            if all(a.in_flight == 0 for a in self.applications):
                await self.emu.settle(timeout=30)
                if all(a.in_flight == 0 for a in self.applications):
                    return
            await asyncio.sleep(0.01)
        raise TimeoutError("the bot did not settle")


def _only_buttons_changed(message: SentMessage) -> bool:
    """An edit that only took the buttons off an old screen is not worth printing again."""
    return bool(message.history) and message.history[-1].plain_text == message.plain_text


async def _read_line(source: TextIO) -> str | None:
    line = await asyncio.get_running_loop().run_in_executor(None, source.readline)
    return line if line else None
