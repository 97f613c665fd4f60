"""Gas Stove Guard benchmark: reaction time against a plain automation, idle cost, set-up, unload, memory.

Run from the repository root:

    .venv/bin/python benchmarks/run.py            # the full run (about 2-3 minutes)
    .venv/bin/python benchmarks/run.py --quick    # a smoke run with few trials

Everything runs inside one Home Assistant process (the test harness's `async_test_home_assistant`, with
in-memory storage, real time). Relays are `input_boolean`s; hazard sensors are `binary_sensor` states.

- Reaction: a hazard sensor turns on -> every relay reports cut, for 1, 10 and 50 burners (each burner has its
  own relay and lists the hazard sensor). The same instance has the equivalent plain automation (trigger: its
  own hazard sensor turns on; action: `input_boolean.turn_on` on as many other relays). Trials alternate
  between the two; the clock starts when the hazard state is written and stops when the last relay's
  state change is written. Median and p99 per size, and the ratio ours / automation.
- Idle cost: 20,000 state changes of unrelated entities with 0 and with 50 burners loaded (alternating
  rounds), CPU time per event (`time.process_time`); the difference is what the burners cost when nothing
  concerns them.
- Set-up and unload of 50 burners (concurrent, as at start-up, and one after the other), after a warm-up
  burner has loaded the platforms; memory per burner with tracemalloc (50 fresh burners, registries
  included).

Prints a table and writes JSON to benchmarks/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import math
import os
from pathlib import Path
import platform
import statistics
import sys
import time
import tracemalloc
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# The harness's plugin module must come first (it patches Home Assistant before it is imported elsewhere).
from pytest_homeassistant_custom_component import plugins  # noqa: E402, F401
from pytest_homeassistant_custom_component.common import (  # noqa: E402
    MockConfigEntry,
    async_test_home_assistant,
    mock_storage,
)

sys.path.insert(0, str(ROOT))
from homeassistant import loader  # noqa: E402
from homeassistant.const import EVENT_STATE_CHANGED, __version__ as HA_VERSION  # noqa: E402
from homeassistant.core import Event, HomeAssistant, callback  # noqa: E402
from homeassistant.setup import async_setup_component  # noqa: E402

import custom_components.gas_stove_guard  # noqa: E402, F401  (before Home Assistant adds its own config dir)

DOMAIN = "gas_stove_guard"
RESULTS = ROOT / "benchmarks" / "results"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]


async def settle(hass: HomeAssistant) -> None:
    for _ in range(100):
        await hass.async_block_till_done()
        if not hass.loop._ready:
            return
        await asyncio.sleep(0)


class RelayWatch:
    """Signals when every relay of a set has reached a state; the stopwatch stops at the last write."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.waiting: set[str] = set()
        self.target = "on"
        self.done: asyncio.Event = asyncio.Event()
        self.finished_ns = 0
        hass.bus.async_listen(EVENT_STATE_CHANGED, self._on_state)

    def expect(self, relays: list[str], target: str) -> None:
        self.waiting = set(relays)
        self.target = target
        self.done = asyncio.Event()

    @callback
    def _on_state(self, event: Event) -> None:
        entity_id = event.data["entity_id"]
        if entity_id in self.waiting and (new := event.data["new_state"]) and new.state == self.target:
            self.waiting.discard(entity_id)
            if not self.waiting:
                self.finished_ns = time.perf_counter_ns()
                self.done.set()


async def new_hass(stack: list[Any]) -> HomeAssistant:
    context = async_test_home_assistant()
    hass = await context.__aenter__()
    stack.append(context)
    hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)  # load custom_components/
    return hass


async def add_burners(
    hass: HomeAssistant,
    relays: list[str],
    hazard: str | None,
    *,
    concurrent: bool = True,
    prefix: str = "Burner",
) -> list[MockConfigEntry]:
    entries = []
    for index, relay in enumerate(relays):
        options: dict[str, Any] = {"name": f"{prefix} {index}", "relay": relay, "cut_seconds": 5}
        if hazard:
            options["hazard_sensors"] = [hazard]
        entry = MockConfigEntry(domain=DOMAIN, title=options["name"], options=options)
        entry.add_to_hass(hass)
        entries.append(entry)
    await setup_entries(hass, entries, concurrent=concurrent)
    return entries


# --- reaction --------------------------------------------------------------------------------------


async def reaction(size: int, trials: int) -> dict[str, Any]:
    stack: list[Any] = []
    hass = await new_hass(stack)
    try:
        ours = [f"input_boolean.ours_{i}" for i in range(size)]
        theirs = [f"input_boolean.auto_{i}" for i in range(size)]
        config = {name.split(".")[1]: {} for name in ours + theirs}
        assert await async_setup_component(hass, "input_boolean", {"input_boolean": config})
        hazard_ours, hazard_auto = "binary_sensor.hazard_ours", "binary_sensor.hazard_auto"
        hass.states.async_set(hazard_ours, "off")
        hass.states.async_set(hazard_auto, "off")
        assert await async_setup_component(
            hass,
            "automation",
            {
                "automation": [
                    {
                        "id": "hazard_cuts_relays",
                        "alias": "Hazard cuts relays",
                        "triggers": [{"trigger": "state", "entity_id": hazard_auto, "to": "on"}],
                        "actions": [{"action": "input_boolean.turn_on", "target": {"entity_id": theirs}}],
                    }
                ]
            },
        )
        await add_burners(hass, ours, hazard_ours)
        watch = RelayWatch(hass)
        samples: dict[str, list[float]] = {"ours": [], "automation": []}

        async def trial(variant: str) -> float:
            relays, hazard = (ours, hazard_ours) if variant == "ours" else (theirs, hazard_auto)
            watch.expect(relays, "on")
            start = time.perf_counter_ns()
            hass.states.async_set(hazard, "on")
            await asyncio.wait_for(watch.done.wait(), 10)
            elapsed = (watch.finished_ns - start) / 1e6
            # Reset: the burners restore their relays when the hazard clears; the automation does not.
            watch.expect(relays, "off")
            hass.states.async_set(hazard, "off")
            if variant == "automation":
                await hass.services.async_call(
                    "input_boolean", "turn_off", {"entity_id": relays}, blocking=True
                )
            await asyncio.wait_for(watch.done.wait(), 10)
            await settle(hass)
            return elapsed

        for _ in range(5):  # warm-up, not counted
            await trial("ours")
            await trial("automation")
        for index in range(trials):
            order = ("ours", "automation") if index % 2 == 0 else ("automation", "ours")
            gc.collect()
            for variant in order:
                samples[variant].append(await trial(variant))
        return {
            variant: {
                "median_ms": statistics.median(values),
                "p99_ms": percentile(values, 0.99),
                "mean_ms": statistics.fmean(values),
                "trials": len(values),
            }
            for variant, values in samples.items()
        }
    finally:
        await close(hass, stack)


# --- idle cost --------------------------------------------------------------------------------------


async def idle_cost(events: int, burners: int, rounds: int) -> dict[str, Any]:
    stack: list[Any] = []
    hass = await new_hass(stack)
    try:
        relays = [f"input_boolean.relay_{i}" for i in range(burners)]
        assert await async_setup_component(
            hass, "input_boolean", {"input_boolean": {r.split(".")[1]: {} for r in relays}}
        )
        hass.states.async_set("binary_sensor.smoke", "off")
        unrelated = [f"sensor.unrelated_{i}" for i in range(100)]

        async def burst() -> float:
            gc.collect()
            start = time.process_time()
            for index in range(events):
                hass.states.async_set(unrelated[index % 100], str(index))
                if index % 100 == 99:
                    await settle(hass)
            await settle(hass)
            return (time.process_time() - start) / events * 1e6

        # warm-up of both configurations (platform imports, first-time caches)
        entries = await add_burners(hass, relays, "binary_sensor.smoke")
        await burst()
        await unload(hass, entries)
        await burst()
        without: list[float] = []
        with_burners: list[float] = []
        for _ in range(rounds):
            without.append(await burst())
            entries = await add_burners(hass, relays, "binary_sensor.smoke")
            with_burners.append(await burst())
            await unload(hass, entries)
            for entry in entries:
                await hass.config_entries.async_remove(entry.entry_id)
            await settle(hass)
        without.append(await burst())
        base = statistics.median(without)
        loaded = statistics.median(with_burners)
        return {
            "events_per_round": events,
            "rounds": rounds,
            "cpu_us_per_event_0_burners": base,
            "cpu_us_per_event_50_burners": loaded,
            "extra_us_per_event": loaded - base,
            "rounds_0": without,
            "rounds_50": with_burners,
        }
    finally:
        await close(hass, stack)


# --- set-up, unload, memory ------------------------------------------------------------------------


async def setup_entries(hass: HomeAssistant, entries: list[MockConfigEntry], *, concurrent: bool) -> None:
    if concurrent:
        results = await asyncio.gather(*(hass.config_entries.async_setup(e.entry_id) for e in entries))
    else:
        results = [await hass.config_entries.async_setup(e.entry_id) for e in entries]
    assert all(results)
    await settle(hass)


async def unload(hass: HomeAssistant, entries: list[MockConfigEntry]) -> None:
    results = await asyncio.gather(*(hass.config_entries.async_unload(e.entry_id) for e in entries))
    assert all(results)
    await settle(hass)


async def setup_unload(burners: int, rounds: int) -> dict[str, Any]:
    stack: list[Any] = []
    hass = await new_hass(stack)
    try:
        relays = [f"input_boolean.relay_{i}" for i in range(burners)]
        assert await async_setup_component(
            hass,
            "input_boolean",
            {"input_boolean": {r.split(".")[1]: {} for r in [*relays, "input_boolean.warm_up"]}},
        )
        hass.states.async_set("binary_sensor.smoke", "off")
        warm = await add_burners(hass, ["input_boolean.warm_up"], "binary_sensor.smoke", prefix="Warm-up")
        await unload(hass, warm)
        timings: dict[str, list[float]] = {
            "setup_new": [],  # first set-up: devices and entities are registered
            "setup": [],  # set-up of known burners, as at every start of Home Assistant
            "setup_sequential": [],
            "unload": [],
        }

        cpu: dict[str, list[float]] = {key: [] for key in timings}

        async def timed(key: str, work: Any) -> Any:
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            result = await work
            timings[key].append((time.perf_counter() - start) * 1000)
            cpu[key].append((time.process_time() - start_cpu) * 1000)
            return result

        for round_index in range(rounds):
            entries = await timed(
                "setup_new", add_burners(hass, relays, "binary_sensor.smoke", prefix=f"Round {round_index}")
            )
            await timed("unload", unload(hass, entries))
            await timed("setup", setup_entries(hass, entries, concurrent=True))
            await unload(hass, entries)
            await timed("setup_sequential", setup_entries(hass, entries, concurrent=False))
            await unload(hass, entries)
            for entry in entries:
                await hass.config_entries.async_remove(entry.entry_id)
            await settle(hass)

        # memory: 50 fresh burners (new entries, devices, entities), after the code is loaded
        gc.collect()
        tracemalloc.start(1)
        before = tracemalloc.take_snapshot()
        entries = await add_burners(hass, relays, "binary_sensor.smoke", prefix="Memory")
        gc.collect()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
        ours = sum(
            stat.size_diff
            for stat in after.compare_to(before, "filename")
            if "custom_components" in (stat.traceback[0].filename if stat.traceback else "")
        )
        await unload(hass, entries)
        return {
            "burners": burners,
            "rounds": rounds,
            **{f"{key}_ms": statistics.median(values) for key, values in timings.items()},
            **{f"{key}_cpu_ms": statistics.median(values) for key, values in cpu.items()},
            "all_ms": timings,
            "all_cpu_ms": cpu,
            "memory_per_burner_kib": grown / burners / 1024,
            "memory_per_burner_allocated_in_integration_kib": ours / burners / 1024,
        }
    finally:
        await close(hass, stack)


async def close(hass: HomeAssistant, stack: list[Any]) -> None:
    await hass.async_stop(force=True)
    for context in reversed(stack):
        await context.__aexit__(None, None, None)
    await asyncio.sleep(0)


# --- main -------------------------------------------------------------------------------------------


def table(results: dict[str, Any]) -> str:
    lines = []
    if results["reaction"]:
        lines += [
            "Reaction: hazard on -> every relay reports cut (ms)",
            "",
            "| burners | ours median | ours p99 | automation median | automation p99 | ratio median "
            "| ratio p99 |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for size, row in results["reaction"].items():
            ours, auto = row["ours"], row["automation"]
            lines.append(
                f"| {size} | {ours['median_ms']:.3f} | {ours['p99_ms']:.3f} | {auto['median_ms']:.3f} | "
                f"{auto['p99_ms']:.3f} | {ours['median_ms'] / auto['median_ms']:.2f} | "
                f"{ours['p99_ms'] / auto['p99_ms']:.2f} |"
            )
        lines.append("")
    if idle := results.get("idle"):
        lines.append(
            f"Idle cost ({idle['events_per_round']} unrelated state changes, "
            f"median of {idle['rounds']} rounds): "
            f"{idle['cpu_us_per_event_0_burners']:.2f} µs/event with 0 burners, "
            f"{idle['cpu_us_per_event_50_burners']:.2f} µs/event with 50 -> extra "
            f"{idle['extra_us_per_event']:+.3f} µs/event"
        )
    if setup := results.get("setup"):
        lines += [
            f"Set-up of 50 burners: {setup['setup_ms']:.1f} ms wall / {setup['setup_cpu_ms']:.1f} ms CPU "
            "(known burners, concurrent, as at start-up); "
            f"{setup['setup_new_ms']:.1f} ms / {setup['setup_new_cpu_ms']:.1f} ms CPU the first time "
            f"(registering devices and entities); {setup['setup_sequential_ms']:.1f} ms / "
            f"{setup['setup_sequential_cpu_ms']:.1f} ms CPU one after the other",
            f"Unload of 50 burners: {setup['unload_ms']:.1f} ms wall / {setup['unload_cpu_ms']:.1f} ms CPU",
            f"Memory per burner: {setup['memory_per_burner_kib']:.1f} KiB in all (entities, registries, "
            f"states); {setup['memory_per_burner_allocated_in_integration_kib']:.1f} KiB allocated by "
            "its own code",
        ]
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"reaction": {}}
    for size in args.sizes if "reaction" in args.only else []:
        started = time.perf_counter()
        results["reaction"][size] = await reaction(size, args.trials)
        print(f"reaction {size}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if "idle" in args.only:
        started = time.perf_counter()
        results["idle"] = await idle_cost(args.idle_events, 50, args.idle_rounds)
        print(f"idle: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if "setup" in args.only:
        results["setup"] = await setup_unload(50, args.setup_rounds)
    return results


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--idle-events", type=int, default=20_000)
    parser.add_argument("--idle-rounds", type=int, default=5)
    parser.add_argument("--setup-rounds", type=int, default=5)
    parser.add_argument(
        "--only", nargs="+", choices=["reaction", "idle", "setup"], default=["reaction", "idle", "setup"]
    )
    parser.add_argument("--quick", action="store_true", help="few trials and rounds: a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.trials, args.idle_events, args.idle_rounds, args.setup_rounds = 20, 2000, 1, 1
    return args


def run() -> None:
    args = parse()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger().setLevel(logging.ERROR)
    with mock_storage():
        loop = asyncio.new_event_loop()
        try:
            results = loop.run_until_complete(main(args))
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()
    results["environment"] = {
        "home_assistant": HA_VERSION,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "load_average_at_end": os.getloadavg(),
        "arguments": vars(args),
    }
    text = table(results)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"benchmark-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nJSON: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    run()
