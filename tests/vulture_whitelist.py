"""What frameworks call or read by name, for the dead-code check (`vulture` in `make lint`).

Every name here is used although no line of ours uses it. Nothing imports this module (some
class attributes exist only on instances); mypy type-checks it in `make lint`, so an entry
that is renamed or removed fails there: the whitelist cannot go stale. Name
patterns (rasa-sdk's `validate_<slot>`, pytest's hooks) and decorators (`@pytest.fixture`,
pydantic validators, SQLAlchemy event listeners) are in pyproject.toml's `[tool.vulture]`.
"""

from __future__ import annotations

from sanic import Sanic

from actions.account import LinkAccount
from actions.calls import _Tracker
from actions.forms import (
    ValidateAddonForm,
    ValidateCancelForm,
    ValidateChangeQuantityForm,
    ValidateOrderForm,
)
from actions.info import Fallback, Goodbye, Greet, Handoff, Help
from actions.ordering import PlaceOrderAction, ProductDetails
from actions.questions import (
    AskAccountConsent,
    AskAddon,
    AskConfirmCancel,
    AskConfirmChange,
    AskProduct,
    AskQuantity,
    AskSubscription,
    AskTermsAccepted,
)
from actions.seats import ReduceToUsage, ShowCosts
from actions.subscriptions import (
    BookAddonAction,
    CancelSubscriptionAction,
    ChangeQuantityAction,
    OrderStatus,
    ShowOrders,
    WithdrawCancellationAction,
)
from bot.emulator.model import CallbackAnswer
from bot.emulator.transport import _ApiHandler
from bot.fairness import ChatTurns
from bot.miniapp.server import _Api, _Page
from domain.licence_requests import LicenceRequest
from domain.logs import TextFormatter
from domain.metrics import _DatabaseFigures
from domain.storage.migrate import autogenerate
from domain.storage.types import Cents, ExactDecimal, UTCDateTime
from tests.bench.offline import OfflineRequest

# rasa-sdk's executor registers every Action subclass of the package (actions/server.py,
# register_package) and calls it by its name(): the classes are never named in our code.
_RASA_ACTIONS = (
    LinkAccount,
    ValidateAddonForm,
    ValidateCancelForm,
    ValidateChangeQuantityForm,
    ValidateOrderForm,
    Fallback,
    Goodbye,
    Greet,
    Handoff,
    Help,
    PlaceOrderAction,
    ProductDetails,
    AskAccountConsent,
    AskAddon,
    AskConfirmCancel,
    AskConfirmChange,
    AskProduct,
    AskQuantity,
    AskSubscription,
    AskTermsAccepted,
    ReduceToUsage,
    ShowCosts,
    BookAddonAction,
    CancelSubscriptionAction,
    ChangeQuantityAction,
    OrderStatus,
    ShowOrders,
    WithdrawCancellationAction,
)


# Fields of what Rasa sends (a tracker) and of what Telegram's API was asked (the emulator's
# record of answerCallbackQuery): the shape of the message, read or not.
def _payload_fields(tracker: _Tracker, answer: CallbackAnswer) -> tuple[object, ...]:
    return (tracker.paused, tracker.followup_action, tracker.latest_action_name, answer.cache_time)


_PAYLOAD_FIELDS = _payload_fields  # (instance attributes: read in a function, named here)


# Hooks the frameworks call on our subclasses: PTB's update processor and request, Tornado's
# handlers, prometheus-client's collector, logging's formatter, SQLAlchemy's type decorators.
_FRAMEWORK_HOOKS = (
    ChatTurns.do_process_update,
    OfflineRequest.do_request,
    _Page.set_default_headers,
    _Page.set_extra_headers,
    _Api.set_default_headers,
    _Api.on_finish,
    _Api.write_error,
    _ApiHandler.on_connection_close,
    _DatabaseFigures.collect,
    TextFormatter.formatTime,
    Cents.impl,
    Cents.cache_ok,
    Cents.process_bind_param,
    Cents.process_result_value,
    ExactDecimal.process_bind_param,
    ExactDecimal.process_result_value,
    UTCDateTime.process_bind_param,
    UTCDateTime.process_result_value,
)

# Stored by name: the repository writes LicenceRequest's fields through the list `_FIELDS`
# (domain/storage/licence_requests.py), and privacy exports read the column.
_STORED_BY_NAME = (LicenceRequest.decided_at,)

# Imported for a string annotation only (actions/server.py: `App: TypeAlias = "Sanic[Any, Any]"`).
_STRING_ANNOTATIONS = (Sanic,)

# The developer's tool for a new migration, named in the README, called by nobody's code.
_DEVELOPER_TOOLS = (autogenerate,)
