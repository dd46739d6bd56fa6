"""A local Slack stand-in: a stateful fake Web API and a driver that plays Slack towards the bot."""

from bot.standin.driver import SlackDriver
from bot.standin.driver_base import DriverResponse, sign
from bot.standin.models import (
    ApiError,
    Canvas,
    CanvasSection,
    Channel,
    RecordedMessage,
    ResponseUrl,
    StoredFile,
    StoredView,
    User,
)
from bot.standin.payloads import DriverError
from bot.standin.server import SlackStandIn

__all__ = [
    "ApiError",
    "Canvas",
    "CanvasSection",
    "Channel",
    "DriverError",
    "DriverResponse",
    "RecordedMessage",
    "ResponseUrl",
    "SlackDriver",
    "SlackStandIn",
    "StoredFile",
    "StoredView",
    "User",
    "sign",
]
