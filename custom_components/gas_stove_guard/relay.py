"""Relay commands of all burners, sent together.

Burners that react to the same thing (a smoke alarm every burner watches) decide in the same turn of the event
loop. Their commands go out at the end of that turn as one service call per domain and service, as a Home
Assistant automation's action would, instead of one call per relay: with 50 burners that is what keeps a
hazard shut-off as fast as a plain automation. Each burner still hears about the failure of its own command
and retries on its own. What can wait (saving, entity states) runs after the commands are on their way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback, split_entity_id
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .guard import CONFIRM_TIMEOUT

_LOGGER = logging.getLogger(__name__)

type OnError = Callable[[Exception], None]
type IsCurrent = Callable[[], bool]
type Handlers = list[tuple[OnError, IsCurrent]]  # the burners' (failure handler, "still wanted?") per relay

DATA_RELAY_COMMANDS: HassKey[RelayCommands] = HassKey(f"{DOMAIN}_relay_commands")


@callback
def relay_commands(hass: HomeAssistant) -> RelayCommands:
    """The instance shared by every burner."""
    if (commands := hass.data.get(DATA_RELAY_COMMANDS)) is None:
        commands = hass.data[DATA_RELAY_COMMANDS] = RelayCommands(hass)
    return commands


class RelayCommands:
    """Collects the relay commands of one loop turn and sends them together."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing is queued."""
        self._hass = hass
        self._queued: dict[str, tuple[str, Handlers]] = {}  # relay entity id -> (service, handlers)
        self._after: list[CALLBACK_TYPE] = []
        self._flush_scheduled = False

    @callback
    def async_send(self, entity_id: str, service: str, on_error: OnError, is_current: IsCurrent) -> None:
        """Queue `service` for the relay; a newer command for the relay replaces a queued one.

        `on_error` hears why it failed (or timed out), as long as `is_current()` says it is still the burner's
        latest command.
        """
        queued = self._queued.get(entity_id)
        handlers: Handlers = queued[1] if queued and queued[0] == service else []
        handlers.append((on_error, is_current))
        self._queued[entity_id] = (service, handlers)
        self._schedule_flush()

    @callback
    def async_after_sending(self, job: CALLBACK_TYPE) -> None:
        """Run `job` once the commands queued so far are on their way (in this loop turn or the next)."""
        self._after.append(job)
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        if not self._flush_scheduled:
            self._flush_scheduled = True
            # A task, not `call_soon`: it runs after the callbacks of this loop turn just the same, and Home
            # Assistant knows it is pending (`async_block_till_done` waits for it).
            self._hass.async_create_task(self._async_flush(), f"{DOMAIN} relay commands", eager_start=False)

    async def _async_flush(self) -> None:
        self._flush_scheduled = False
        if self._send_queued():
            # The relays' integrations got their calls first (their work is scheduled now): let them switch
            # before the burners rewrite their own entities.
            self._hass.loop.call_soon(self._run_after, self._take_after())
        else:
            self._run_after(self._take_after())

    @callback
    def async_flush(self) -> None:
        """Send what is queued now and run the jobs waiting for it.

        Requests that answer a caller (a service call, a button) flush at once, so that when the call
        returns the relay command is on its way and the burner's entities show the change, as Home
        Assistant's blocking calls promise. Reactions to state changes wait for the end of the loop turn.
        """
        self._send_queued()
        self._run_after(self._take_after())

    def _send_queued(self) -> bool:
        queued, self._queued = self._queued, {}
        calls: dict[tuple[str, str], dict[str, Handlers]] = {}
        for entity_id, (service, handlers) in queued.items():
            calls.setdefault((split_entity_id(entity_id)[0], service), {})[entity_id] = handlers
        for (domain, service), relays in calls.items():
            self._hass.async_create_task(
                self._async_call(domain, service, relays), f"{DOMAIN} relay command", eager_start=True
            )
        return bool(calls)

    def _take_after(self) -> list[CALLBACK_TYPE]:
        after, self._after = self._after, []
        return after

    @callback
    def _run_after(self, after: list[CALLBACK_TYPE]) -> None:
        for job in after:
            try:
                job()
            except Exception:
                _LOGGER.exception("Error after sending relay commands")

    async def _async_call(self, domain: str, service: str, relays: dict[str, Handlers]) -> None:
        entity_ids = list(relays)
        try:
            async with asyncio.timeout(CONFIRM_TIMEOUT.total_seconds()):
                await self._hass.services.async_call(
                    domain,
                    service,
                    {ATTR_ENTITY_ID: entity_ids[0] if len(entity_ids) == 1 else entity_ids},
                    blocking=True,
                    context=Context(),
                )
        except Exception as err:  # noqa: BLE001 - whatever the relays' integration raises, the burners must hear it
            if len(entity_ids) > 1:
                # One relay's failure (or hang) fails the whole call: find out which, relay by relay, so that
                # no burner takes another's fault for its own. Commands a burner has replaced meanwhile are
                # not sent again.
                _LOGGER.debug("Relay command %s.%s for %s failed: %r", domain, service, entity_ids, err)
                await asyncio.gather(
                    *(
                        self._async_call(domain, service, {entity_id: handlers})
                        for entity_id, handlers in relays.items()
                        if any(is_current() for _, is_current in handlers)
                    )
                )
                return
            _LOGGER.warning("Relay command %s.%s for %s failed: %r", domain, service, entity_ids[0], err)
            for on_error, is_current in relays[entity_ids[0]]:
                if not is_current():
                    continue
                try:
                    on_error(err)
                except Exception:
                    _LOGGER.exception("Error handling the failure of a relay command")
