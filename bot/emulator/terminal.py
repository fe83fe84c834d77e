"""The terminal client of `licencebot chat`: one emulated user's chat with the bot, as text.

It prints the bot's new and edited messages, each headed by its message id and followed by its
buttons, and the text of the bot's callback answers as Telegram shows it (an alert or a toast).
The current screen's buttons (the message with buttons the bot sent or edited last) are
numbered 1, 2, …, any other message's `<message>.<n>`; a link button is printed as its address.
A typed number presses a button (`2`, `12.1`), any other line is sent as a message. Its own
words follow the language the chat chose. Given a `desk` group, the agent (`/as agent`) works
there: it prints the bot's new and edited messages in the group (those the agent has not seen
yet), headed by the group's title and the topic's name, in the order the bot sent them; typed
text goes to the newest ticket's topic, commands to the agent's own chat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
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


Language = Callable[[int], Awaitable[str | None]]  # the language a chat chose, if any


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
        language: Language | None = None,
    ) -> None:
        self.emu, self.user, self.tr, self.out = emu, user, tr, out
        self.applications = applications
        self.desk = desk
        self.people = dict(people or {})  # `/as <name>` switches to one of them
        self.app_link = app_link  # the Mini App with signed launch data for a person (`/app`)
        self._default = tr  # the language of a chat that chose none
        self._language = language
        self._seen: dict[int, int] = {}  # per person: how many of their chat's events shown
        self._desk_seen: dict[int, int] = {}  # per agent: the group's events shown to them
        self._agent_in_desk = True  # where the agent's last screen came from: group or own chat
        self._buttons: list[tuple[SentMessage, dict[str, str]]] = []  # the current screen's

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
            await self._switch(line.removeprefix("/as").strip())
            return True
        if line == "/app" and self.app_link is not None:
            self.show_app_link()
            return True
        query_id: str | None = None
        pressed = _button_number(line)
        if pressed is not None:
            query_id = await self._press(*pressed)
            if query_id is None:
                return True
        elif self._at_desk() and not line.startswith("/"):
            await self._write_at_desk(line.removeprefix("'"))
        else:
            await self.user.send(line.removeprefix("'"))
        await self._settle()
        await self._follow_language()
        if query_id is not None:
            self._show_answer(query_id)
        self.show_new()
        return True

    async def _follow_language(self) -> None:
        """Speak the language the person's chat chose (`/language`), as the bot does."""
        chosen = await self._language(self.user.id) if self._language is not None else None
        self.tr = Translator(chosen) if chosen else self._default

    async def _switch(self, name: str) -> None:
        """`/as admin|member|agent`: type and press as another demo person from now on."""
        person = self.people.get(name)
        if person is None:
            print(self.tr("chat_cli.as_usage", names=", ".join(self.people)), file=self.out)
            return
        self.user = person  # what arrived in their chat meanwhile is shown next
        if self._is_agent():  # the agent works in the desk group (new tickets show there)
            self._agent_in_desk = True
        await self._follow_language()
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
        """Print the bot's messages sent or edited since the last call, each with its buttons:
        the current screen's numbered 1, 2, … (as typed), any other's `<message>.<n>`."""
        seen = self._seen.get(self.user.id, 0)
        events = [(event, self.user.id) for event in self.emu.events(self.user.id)[seen:]]
        self._seen[self.user.id] = seen + len(events)
        if self.desk is not None and self._is_agent():  # only agents are in the group
            shown = self._desk_seen.get(self.user.id, 0)
            desk_events = self.emu.events(self.desk.id)[shown:]
            self._desk_seen[self.user.id] = shown + len(desk_events)
            events += [(event, self.desk.id) for event in desk_events]
            events.sort(key=lambda seen: seen[0].seq)  # in the order the bot did it
        if events and self._is_agent() and self.desk is not None:
            self._agent_in_desk = events[-1][1] == self.desk.id  # answer where the bot spoke
        current = self._current_screen()
        self._buttons = []
        printed = False
        for event, chat_id in events:
            message = self._shown(event, chat_id)
            if message is None:
                continue
            is_current = current is not None and _same(message, current)
            if is_current and (event, chat_id) != _last_of(events, message):
                is_current = False  # printed again further down, with the numbers
            printed |= is_current
            self._show(event, chat_id, message, current=is_current)
        if current is not None and not printed:
            self._print_buttons(current, plain=True)

    def _shown(self, event: ChatEvent, chat_id: int) -> SentMessage | None:
        """The message of an event, if it is worth printing."""
        if event.kind == "deleted":
            return None
        message = next(
            (m for m in self.emu.messages(chat_id) if m.message_id == event.message_id), None
        )
        if message is None or (event.kind == "edited" and _only_buttons_changed(message)):
            return None
        return message

    def _show(self, event: ChatEvent, chat_id: int, message: SentMessage, *, current: bool) -> None:
        """Print one message the bot sent or edited (in the desk group with its heading)."""
        marker = " " + self.tr("chat_cli.edited") if event.kind == "edited" else ""
        if self.desk is None or chat_id != self.desk.id:
            print(
                f"\n\N{ROBOT FACE} {message.message_id}{marker}\n{message.plain_text}",
                file=self.out,
            )
            if message.document is not None:  # a file (the CSV of /costs): its name and text
                document = message.document
                print(f"\N{PAPERCLIP} {document.file_name}", file=self.out)
                text = document.content.decode("utf-8-sig", errors="replace")
                print("\n".join(f"  {line}" for line in text.splitlines()), file=self.out)
            self._print_buttons(message, plain=current)
            return
        heading = self.desk.title
        topics = self.desk.topics()
        if message.message_thread_id in topics:
            heading += f" \N{MIDDLE DOT} {topics[message.message_thread_id]}"
        print(
            f"\n\N{BUSTS IN SILHOUETTE} {heading} \N{MIDDLE DOT} {message.message_id}{marker}"
            f"\n{message.plain_text}",
            file=self.out,
        )
        if self._is_agent():  # the agent presses in the group
            self._print_buttons(message, plain=current)
        elif message.buttons():
            print("  (" + " | ".join(message.buttons()) + ")", file=self.out)

    def _print_buttons(self, message: SentMessage, *, plain: bool) -> None:
        """The buttons under a message, row by row: numbered 1, 2, … for the current screen
        (`plain`), else `<message>.<n>`; a link button as its address."""
        keyboard = message.inline_keyboard or {}
        number = 0
        for row in keyboard.get("inline_keyboard", []):
            cells, links = [], []
            for cell in row:
                if "url" in cell:
                    link = self.tr("chat_cli.link")
                    links.append(f"  \N{LINK SYMBOL} {cell['text']} ({link}): {cell['url']}")
                    continue
                number += 1
                if plain:
                    self._buttons.append((message, cell))
                    cells.append(f"[{number}] {cell['text']}")
                else:
                    cells.append(f"[{message.message_id}.{number}] {cell['text']}")
            if cells:
                print(("" if plain else "  ") + "  ".join(cells), file=self.out)
            for link in links:
                print(link, file=self.out)

    def _current_screen(self) -> SentMessage | None:
        """The message with buttons the bot sent or edited last where the person acts."""
        chat = self.desk.id if self._at_desk() and self.desk is not None else self.user.id
        current = {m.message_id: m for m in self.emu.messages(chat)}
        for event in reversed(self.emu.events(chat)):
            found = current.get(event.message_id)
            if event.kind != "deleted" and found is not None and _pressable(found):
                return found
        return None

    def show_app_link(self) -> None:
        """The Mini App in a browser, signed for the current person (valid for an hour)."""
        if self.app_link is not None:
            print(self.tr("chat_cli.app", url=self.app_link(self.user)), file=self.out)

    async def _press(self, message_id: int | None, number: int) -> str | None:
        """Press a button: of the current screen (`message_id` None), or of any message shown;
        the callback query's id, None without such a button."""
        found = self._button(message_id, number)
        if found is None:
            count = len(self._buttons)
            print(self.tr("chat_cli.no_button", count=count), file=self.out)
            return None
        chat, message, cell = found
        if "web_app" in cell:
            self.show_app_link()  # Telegram would open the Mini App
            return None
        if self.desk is not None and chat == self.desk.id:
            update = await self.desk.press_data(
                self.user, message.message_id, cell["callback_data"]
            )
        else:
            update = await self.user.press_data(message.message_id, cell["callback_data"])
        return str(update["callback_query"]["id"])

    def _button(
        self, message_id: int | None, number: int
    ) -> tuple[int, SentMessage, dict[str, str]] | None:
        """(chat, message, button) of a typed number, None when there is no such button."""
        if message_id is None:
            if not 1 <= number <= len(self._buttons):
                return None
            message, cell = self._buttons[number - 1]
            return message.chat_id, message, cell
        chats = [self.user.id]
        if self._is_agent() and self.desk is not None:
            chats = [self.desk.id, self.user.id] if self._at_desk() else [*chats, self.desk.id]
        for chat in chats:
            found = next((m for m in self.emu.messages(chat) if m.message_id == message_id), None)
            if found is None:
                continue
            message = found
            cells = [
                c
                for row in (message.inline_keyboard or {}).get("inline_keyboard", [])
                for c in row
                if "url" not in c
            ]
            if 1 <= number <= len(cells):
                return chat, message, cells[number - 1]
        return None

    def _show_answer(self, query_id: str) -> None:
        """Print the text of the bot's answer to a press, as an alert (⚠) or a toast (ℹ)."""
        answer = self.emu.callback_answers.get(query_id)
        if answer is None or not answer.text:
            return
        sign = "\N{WARNING SIGN}" if answer.show_alert else "\N{INFORMATION SOURCE}"
        print(f"  {sign} {answer.text}", file=self.out)

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


def _button_number(line: str) -> tuple[int | None, int] | None:
    """`3` (the current screen's third button) or `12.3` (message 12's third), else None."""
    head, dot, tail = line.partition(".")
    if not head.isdigit() or (dot and not tail.isdigit()) or not head.isascii():
        return None
    if not dot:
        return None, int(head)
    return (int(head), int(tail)) if tail.isascii() else None


def _same(one: SentMessage, other: SentMessage) -> bool:
    return (one.chat_id, one.message_id) == (other.chat_id, other.message_id)


def _pressable(message: SentMessage) -> bool:
    rows = (message.inline_keyboard or {}).get("inline_keyboard", [])
    return any("url" not in cell for row in rows for cell in row)


def _last_of(events: list[tuple[ChatEvent, int]], message: SentMessage) -> tuple[ChatEvent, int]:
    """The last event of `message` among `events` (a message edited twice is printed twice)."""
    return next(
        e
        for e in reversed(events)
        if e[0].message_id == message.message_id and e[1] == message.chat_id
    )


def _only_buttons_changed(message: SentMessage) -> bool:
    """An edit that only took the buttons off an old screen is not worth printing again."""
    return bool(message.history) and message.history[-1].plain_text == message.plain_text


async def _read_line(source: TextIO) -> str | None:
    line = await asyncio.get_running_loop().run_in_executor(None, source.readline)
    return line if line else None
