"""Render bench/results/*.json as BENCHMARKS.md and print it."""

from __future__ import annotations

from importlib.metadata import version
import json
from pathlib import Path
import statistics
import sys
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
STACK = (
    "homeassistant",
    "bleak",
    "habluetooth",
    "bleak-retry-connector",
    "aioesphomeapi",
    "bleak-esphome",
)


def _rate_rows(rows: list[tuple[str, dict[str, Any]]], limit: float) -> list[str]:
    """A strategy per row: its cycles per second, its share of the link's limit, its backlog."""
    return [
        f"| {name} | {figures['cycles_per_s']:.2f} | {figures['cycles_per_s'] / limit:.3f} "
        f"| {figures['unanswered_requests']:.0f} |"
        for name, figures in rows
    ]


def wheel_section(results: dict[str, Any]) -> list[str]:
    limit = results["limit"]["cycles_per_s"]
    rows = [
        (
            "ours: 0xB2 x 12 (flags, battery ... current), one request in flight, next on "
            "completion; codes, range and lifetime runtime in rotation, one read every 5 s "
            f"({results['ours']['slow_reads']:.0f} in the window)",
            results["ours"],
        ),
        (
            "ours, the rotation 10x faster "
            f"({results['ours_fast_rotation']['slow_reads']:.0f} slow reads in the window)",
            results["ours_fast_rotation"],
        ),
        ("the block before the flags joined it: 0xB4 x 10", results["block_b4"]),
        ("the codes in the live block too: 0xB0 x 15", results["block_b0"]),
        ("eucWatch: one register per request, 50 ms apart", results["eucwatch"]),
        ("WheelLog: 0xB0 x 32 bytes after every answer packet", results["wheellog"]),
    ]
    interval_ms = results["interval_s"] * 1000
    lines = [
        "## Wheel live data",
        "",
        f"Complete live cycles (all of 0xB4-0xBD, battery ... current, fresh) per second "
        "on the emulated link "
        f"({interval_ms:.0f} ms connection interval, one PDU per event and direction, "
        f"20-byte notifications: no capture of a wheel's link has its timing, so these are "
        "unverified), each strategy for "
        f"{results['window_s']:.0f} s on the same ridden wheel, one after the other in one run.",
        "",
        "| strategy | cycles/s | of the link's limit | requests unanswered at the end |",
        "|---|---:|---:|---:|",
    ]
    lines += _rate_rows(rows, limit)
    lines += [
        f"| the link's limit: {results['limit']['events_per_cycle']:.0f} events per cycle "
        f"(request, then one per answer notification) | {limit:.2f} | 1.000 | |",
        "",
        "A frame of three registers is 14 bytes, so 0xB2 x 12 (four frames, 56 bytes) fits the "
        "three notifications that battery ... current alone (52 bytes) take: the flags (lock, "
        "speed limit) ride along for free. The codes would add a frame and a fourth "
        "notification (0xB0 x 15, 70 bytes), a fifth of the live rate, so they are read in the "
        "rotation instead, with the remaining range and the lifetime runtime: one short read "
        "every 5 s, each register every 15 s. A slow read takes two events (request, one "
        "notification), about 1 % of the link at that pace.",
        "",
        "Unanswered requests are answers still queued in the wheel: data that will arrive "
        "late. WheelLog's flood matches the rate only by keeping the link saturated; its "
        "backlog grows for as long as it runs (the emulated wheel queues every request; a real "
        "controller's buffer is finite and drops some).",
        "",
    ]
    return lines


def wheel_z_section(results: dict[str, Any]) -> list[str]:
    limit = results["limit"]["cycles_per_s"]
    rows = [
        (
            f"ours: 0xB0 x {results['live_registers']} (codes ... current, one frame), one "
            "request in flight, next on completion; version, lock, range, lifetime and both "
            "packs in rotation",
            results["ours"],
        ),
        ("WheelLog: 0xB0 x 32 bytes after every answer packet", results["wheellog"]),
    ]
    lines = [
        "## A One Z's live data",
        "",
        "The same measure for an emulated Z10 (5A A5, one answer frame per request, cut into "
        f"20-byte notifications; {results['interval_s'] * 1000:.0f} ms interval), each "
        f"strategy for {results['window_s']:.0f} s on the same ridden wheel.",
        "",
        "| strategy | cycles/s | of the link's limit | requests unanswered at the end |",
        "|---|---:|---:|---:|",
    ]
    lines += _rate_rows(rows, limit)
    wheellog_limit = results["limit_wheellog_block"]
    lines += [
        f"| the link's limit for our read: {results['limit']['events_per_cycle']:.0f} events "
        f"per cycle | {limit:.2f} | 1.000 | |",
        f"| the link's limit for WheelLog's 32-byte read: "
        f"{wheellog_limit['events_per_cycle']:.0f} events | "
        f"{wheellog_limit['cycles_per_s']:.2f} | {wheellog_limit['cycles_per_s'] / limit:.3f} | |",
        "",
        "A Z answers a read in one frame of LEN + 9 bytes. Stopping at the current (0xBD) keeps "
        "the answer within two notifications; the two registers after it only repeat the "
        "speeds and would cost a third. What ours leaves of the limit goes to the rotation: ten "
        "slow reads every 15 s, the packs' blocks among them (up to three notifications each). "
        "WheelLog's strategy passes its own block's limit only by flooding: it sends on every "
        "notification, not every answer, and its requests pile up in the wheel (the backlog "
        "column).",
        "",
    ]
    return lines


def recovery_section(results: dict[str, Any]) -> list[str]:
    def row(name: str, times: list[float]) -> str:
        return (
            f"| {name} | {statistics.median(times):.2f} | {min(times):.2f} | {max(times):.2f} "
            f"| {len(times)} |"
        )

    return [
        "## Recovery after a drop",
        "",
        "From a forced drop (HCI 0x08) to the first fresh data published by the coordinator: "
        "reconnect at once, re-initialise (the band re-authenticates with its stored id, no "
        f"tap), read. A connect takes {results['connect_time_s']:.2f} s in the model; every "
        "request and answer costs connection events of "
        f"{results['interval_s'] * 1000:.0f} ms for the wheel, "
        f"{results.get('band_interval_s', results['interval_s']) * 1000:.0f} ms for the band "
        "until its initialisation's switch to 55 ms applies.",
        "",
        "| device | median s | min s | max s | drops |",
        "|---|---:|---:|---:|---:|",
        row(
            "Ninebot One: identity, the slow registers (codes, range, lifetime runtime), one "
            "live cycle",
            results["wheel_s"],
        ),
        row("Mi Band 1S: the full initialisation (mi-band-1.md, section 4)", results["band_s"]),
        "",
        "Earlier runs of the wheel alternated between 0.38 and 0.62 s. The shorter ones were "
        "wrong: a reading from before the drop, held back by the state-write throttle, was "
        "published as soon as the new link was up, before its identity read. A link now counts "
        "as connected only once its first reading is in, and that reading is published at once "
        "(tests/test_faults.py covers it). Since issue 15 the wheel's first reading also reads "
        "its error and warning codes and its lifetime runtime: two more round trips, 0.61 to "
        "0.73 s.",
        "",
    ]


IDLE_INTERVAL_S = 0.6  # the band's idle events, (460 + 500) / 2 x 1.25 ms
MODEL_NAMES = {
    "captured": "from the captures",
    "before": "before the captures",
}


def _model_line(name: str, link: dict[str, float]) -> str:
    pdus = link["peripheral_pdus_per_event"]
    return (
        f"{MODEL_NAMES.get(name, name)}: {link['interval_s'] * 1000:.0f} ms and "
        f"{link['supervision_timeout_s'] * 1000:.0f} ms at connect, up to {pdus:.0f} "
        f"PDU{'s' if pdus != 1 else ''} per event from the band, one from the central"
    )


def band_measurement_section(results: dict[str, Any]) -> list[str]:
    models = results["models"]
    captured, before = models["captured"], models["before"]

    def row(title: str, call: str) -> str:
        new, old = captured[call], before[call]
        return (
            f"| {title} | {new['beyond_the_band_s']:.2f} | {old['beyond_the_band_s']:.2f} "
            f"| {new['beyond_the_band_s'] / old['beyond_the_band_s']:.2f} "
            f"| {new['round_trips']:.0f} / {old['round_trips']:.0f} "
            f"| {new['minimum_round_trips']:.0f} |"
        )

    gained = (
        before["warm_switching_first"]["beyond_the_band_s"]
        - (captured["warm_switching_first"]["beyond_the_band_s"])
    )
    return [
        "## Band: heart rate on demand",
        "",
        "From the `measure_heart_rate` call to its response, minus the band's own "
        f"{results['band_measuring_s']:.0f} s of measuring (median of {results['runs']} calls), "
        "and the ATT round trips the band answered before the start command `15 02 01`. Warm: "
        "connected and initialised (hold policy). Cold: released between visits (periodic "
        "policy), so the call connects, re-authenticates with the stored id and initialises "
        "first. The minimum is what docs/protocols/mi-band-1.md makes necessary: cold, FF03 "
        "subscribed "
        "and the user info written (the auth verdict), FF09's 5 s supervision timeout and the "
        "clock set (the sensor's start otherwise ends in 0x08), 2A37 subscribed (the value); "
        "warm, nothing. Each call runs on two link models side by side, one after the other in "
        "each round:",
        "",
        f"- {_model_line('captured', captured['link'])};",
        f"- {_model_line('before', before['link'])}.",
        "",
        "A warm call starts half an interval before one of the band's events (on average, where "
        "a call at a random moment lands), the same on both models.",
        "",
        "| call | s beyond the band's measuring, from the captures | before | ratio "
        "| round trips before the start (captures / before) | minimum |",
        "|---|---:|---:|---:|---:|---:|",
        row("warm", "warm"),
        row("cold", "cold"),
        row("warm, asking for low latency first", "warm_switching_first"),
        "",
        "The band starts at the central's parameters and never changes them by itself: Mi "
        "Fit's capture has no update in three minutes of two connections. The one central of "
        "Home Assistant's kind captured is Linux's (its kernel asked a 1S for 50-70 ms and "
        "420 ms); the model takes 60 ms, the middle (which one the controller chose, the "
        "capture does not say). An ESP32 proxy's parameters are not captured (unverified). The "
        "band idles at 600 ms connection events only because the integration's FF09 write at "
        "the end of its initialisation asks it for 575-625 ms, for its battery; without that "
        "write it would stay at the central's interval. New parameters asked for through FF09 "
        "apply at the update's instant: the band's L2CAP request, the central's response and "
        "LL_CONNECTION_UPDATE_IND, then 6 events (the Core specification's minimum, Zephyr's "
        "choice; no capture has an update: unverified), all at the old interval: about five "
        "seconds at 600 ms.",
        "",
        "Warm, the three commands are requests answered one at a time: one PDU each way per "
        "event on both models, so the band's 17 PDUs per event change nothing there. Asking "
        "for low latency first costs its round trip and the update's PDUs and applies only "
        f"after the commands, on both models; the captured one saves {gained:.2f} s of it "
        f"({gained / IDLE_INTERVAL_S:.1f} events at 600 ms), since the band's L2CAP request "
        "leaves in the event of its write response instead of the next one. So a warm "
        "measurement runs at the link's parameters as they are. Cold, "
        "the connection starts at the central's interval (60 ms from the captures, 30 ms "
        "before) and the initialisation's own switch to 55 ms applies within it; the "
        "measurement that waits for that connection runs before the final switch to 600 ms.",
        "",
    ]


def band_sync_section(results: dict[str, Any]) -> list[str]:
    bands = results["bands"]
    captured, before = bands["as_captured"], bands["as_emulated_before"]
    names = {
        "as_captured": "band as captured (a run in one block, no wait)",
        "as_emulated_before": "band as emulated before (blocks of 142, each waiting)",
    }

    def rows(kind: str, title: str) -> list[str]:
        lines = []
        for name, figures in bands.items():
            sync = figures[kind]
            lines.append(
                f"| {title}, {names[name]} | {sync['minutes']} | {sync['link_s']:.1f} "
                f"| {sync['after_low_latency_s']:.2f} | {figures['protocol_limit_s']:.2f} "
                f"| {sync['cpu_s']:.2f} |"
            )
        return lines

    def shares(figures: dict[str, Any]) -> str:
        return (
            f"{figures['minutes_per_s_after_low_latency']:.0f} minutes per second, "
            f"{figures['share_of_protocol_limit']:.0%} of the protocol's limit and "
            f"{figures['share_of_data_limit']:.0%} of the data alone"
        )

    imported = captured["import"]
    waited = imported["link_s"] - imported["after_low_latency_s"]
    return [
        "## Band: a day of its memory into the statistics",
        "",
        f"The `sync_activity` action on a 1S holding {results['minutes']} minutes (a day, 4 bytes "
        "a minute), at real time on the link model from the captures, with the default options "
        "(each block deleted on the band once stored), from a band idling at 600 ms events "
        "(where the integration's last FF09 write left it): the sync asks for low latency and "
        "waits for the band's word that it applied (the update's instant, about ten events on). "
        "Two bands side by side, one sync after the other: one as Mi Fit's capture shows a Mi "
        "Band 1 sending its memory (a run of minutes in one block, 1564 in the capture; the "
        "write's response first, then the header and the data in the same event; the next "
        "header without waiting for the acknowledgement), and one as the emulator had it "
        "before (blocks of 142 minutes, the size Gadgetbridge #45 shows, each waiting for its "
        "acknowledgement; whether a band waits between two data blocks is not captured). The "
        "same day is then put back on each band and synced again: every minute is already in "
        "Home Assistant and nothing is written, so the difference is what the import costs.",
        "",
        "Two limits for the time after low latency applied. The data alone: 55 ms events "
        "carrying 17 notifications of 20 bytes each (what the Mi Band 1 sent Mi Fit's Android "
        f"phone; unverified with an ESP32 proxy or a BlueZ adapter), "
        f"{results['data_limit_minutes_per_s']:.0f} minutes per second. No central reaches it: "
        "the protocol's limit adds the round trips none can leave out, counted in events of "
        "the link model (the transfer's request; one event per acknowledgement the band waits "
        "for; after the last minute, that block's acknowledgement, the closing header's and "
        "the switch back to high latency), for a central that would store in no time at all.",
        "",
        "| | minutes new | s on the link | of which after low latency applied "
        "| the protocol's least | CPU s (whole process) |",
        "|---|---:|---:|---:|---:|---:|",
        *rows("import", "import"),
        *rows("again", "the same day again"),
        "",
        f"Once low latency applies, the band as captured is synced at {shares(captured)}; the "
        f"band as emulated before at {shares(before)}. The sync stores a block's minutes in "
        "pieces while the rest is on its way (each piece what arrived while the recorder stored "
        "the one before), and acknowledges the block once all of it is stored: on the band as "
        "captured the import adds "
        f"{imported['after_low_latency_s'] - captured['again']['after_low_latency_s']:+.2f} s "
        "on the link to a sync that writes nothing; on a band that waits for each "
        "acknowledgement, each block's store (written, committed and every statistic read "
        "back) is on the link, "
        f"{before['import']['after_low_latency_s'] - before['again']['after_low_latency_s']:+.2f}"
        " s for the day. The wait for low latency "
        f"({waited:.1f} s of the import at 600 ms events) is most of a sync; the import costs "
        f"{captured['import_cpu_ms_per_hour']:.1f} ms of CPU per hour of minutes beyond a sync "
        "that writes nothing.",
        "",
    ]


COST_ROWS = {
    "default": "ours, default settings (1 s minimum between writes)",
    "every_cycle_written": "ours, every cycle written (minimum interval 0)",
}


def ha_cost_section(
    results: dict[str, Any] | None,
    fleet: dict[str, Any] | None,
    before_after: dict[str, Any] | None,
) -> list[str]:
    lines = ["## Home Assistant's cost", ""]
    if results is not None:
        lines += ha_cost_per_notification(results)
    if fleet is not None:
        lines += [
            f"{fleet['devices'] // 2} wheels being ridden + {fleet['devices'] // 2} bands worn "
            f"(a step a second), default settings, through {fleet['proxies']} proxies of three "
            f"connection slots: {fleet['cpu_share_of_one_core'] * 100:.1f} % of one core and "
            f"{fleet['memory_bytes'] / 2**20:.1f} MiB more resident memory than before the "
            f"entries were set up; {fleet['connected_at_end']} of {fleet['devices']} connected "
            "at the end. The emulated devices and the link model run in the same process, so the "
            "CPU share is an upper bound for Home Assistant's.",
            "",
        ]
    if before_after is not None:
        lines += ha_cost_before_after(before_after)
    return lines


def ha_cost_per_notification(results: dict[str, Any]) -> list[str]:
    bare = results["bare_write_cpu_s"]
    default, every = results["default"], results["every_cycle_written"]
    saving = every["cpu_per_notification_s"] / default["cpu_per_notification_s"]

    def row(key: str) -> str:
        figures = results[key]
        cpu = figures["cpu_per_notification_s"]
        return (
            f"| {COST_ROWS[key]} | {cpu * 1e6:.0f} | {cpu / bare:.0f} "
            f"| {figures['state_writes'] / figures['notifications']:.2f} |"
        )

    return [
        "CPU per wheel notification, end to end: the answer's notifications enter where a Bleak "
        "backend hands them over, then decoding, the session, the poller (whose next request "
        "goes out through bleak-retry-connector's client and the emulated link, standing in for "
        "D-Bus or the ESPHome API), the coordinator, the entities and the state machine. Every "
        f"cycle carries new speed and current. {default['notifications']} notifications per "
        "row, at the link's pace. The reference is a bare `hass.states.async_set` with a new "
        "value, the least any integration pays to show a value.",
        "",
        "| path | µs CPU per notification | x a bare state write | state writes per notification |",
        "|---|---:|---:|---:|",
        *(row(key) for key in COST_ROWS),
        f"| a bare state write | {bare * 1e6:.1f} | 1 | 1 |",
        "",
        f"The throttle makes a ridden wheel {saving:.1f}x "
        "cheaper than writing every cycle. A profile of the default row puts about a fifth of "
        "it in our code and most of the rest in asyncio's scheduling of the request/answer "
        "exchange; Home Assistant's entity machinery dominates once every cycle is written.",
        "",
    ]


def ha_cost_before_after(results: dict[str, Any]) -> list[str]:
    before = results["before"]
    lines = ["### Before and after", ""]
    if "unavailable" in results:
        return [
            *lines,
            f"No comparison with `{before['revision']}`: {results['unavailable']}.",
            "",
        ]
    after, ratios = results["after"], results["after_over_before"]
    before_note = ", its fleet left out" if before["fleet_left_out"] else ""

    def spread(figures: dict[str, float], scale: float, digits: int) -> str:
        low, high = figures["min"] * scale, figures["max"] * scale
        return f"{figures['median'] * scale:.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"

    def row(key: str) -> str:
        old, new = before["rows"][key], after["rows"][key]
        return (
            f"| {COST_ROWS[key]} | {spread(old['cpu_per_notification_s'], 1e6, 0)} "
            f"| {spread(new['cpu_per_notification_s'], 1e6, 0)} "
            f"| {spread(ratios[key], 1, 2)} "
            f"| {old['state_writes_per_notification']:.2f} "
            f"| {new['state_writes_per_notification']:.2f} |"
        )

    return [
        *lines,
        f"The per-notification rows on revision `{before['revision']}` (before) and on the "
        f"working tree, `{after['revision']}` (after), each measured by its own tree's test "
        f"(before: `{before['test']}`{before_note}; after: `{after['test']}`) in a process "
        f"started from that tree: {results['rounds']} rounds, the two sides of a round at the "
        "same time. Medians, with the range of the rounds in brackets; after / before is the "
        "median of the rounds' ratios.",
        "",
        "| path | before: µs per notification | after: µs per notification | after / before "
        "| before: state writes per notification | after: state writes per notification |",
        "|---|---:|---:|---:|---:|---:|",
        *(row(key) for key in COST_ROWS),
        "",
        "The ratio is what counts: before and after were measured interleaved in one run, the "
        "two of each round at the same moments on the same machine, so that its load moves "
        "both alike. The microseconds move with that load, from round to round and against "
        "the table above, measured at another moment.",
        "",
        *_counted_calls(results.get("calls")),
    ]


def _counted_calls(calls: dict[str, dict[str, int]] | None) -> list[str]:
    """The work of one more round per side, counted: what a noisy machine cannot blur."""
    if not calls:
        return []
    before, after = calls["before"], calls["after"]
    return [
        "The same test once more on each side, its Python function calls counted (cProfile), "
        "not timed: the whole test, entry set-up and every row included.",
        "",
        "| calls | before | after | after / before |",
        "|---|---:|---:|---:|",
        *(
            f"| {label} | {before[key]:,} | {after[key]:,} | {after[key] / before[key]:.3f} |"
            for key, label in (
                ("total", "all"),
                ("integration", "in the integration's code (custom_components/miband_ninebot)"),
            )
        ),
        "",
    ]


def state_writes_section(results: dict[str, Any]) -> list[str]:
    lines = [
        "## Recorder cost",
        "",
        "State writes (each one a row in the recorder's states table) per entity and hour at "
        "default settings (1 s minimum between writes), counted over "
        f"{results['window_s']:.0f} s while the wheel is ridden and the band's wearer walks a "
        "step a second, scaled to an hour. Entities whose value did not change are not listed: "
        "they write nothing.",
        "",
        "| entity | writes per hour |",
        "|---|---:|",
    ]
    lines += [f"| `{entity}` | {count} |" for entity, count in results["per_hour"].items()]
    lines += [
        "",
        "3600 is the cap the minimum interval sets: values that change at every poll (speed, "
        "current, power, the odometer in metres) hit it while riding; at rest they write "
        "nothing.",
        "",
    ]
    return lines


def esphome_section(results: dict[str, Any]) -> list[str]:
    virtual, esphome = results["virtual"], results["esphome"]

    def row(name: str, key: str, unit_format: str) -> str:
        section, figure = key.split(".")
        ours, theirs = virtual[section][figure], esphome[section][figure]
        return (
            f"| {name} | {unit_format.format(ours)} | {unit_format.format(theirs)} "
            f"| {theirs / ours:.2f} |"
        )

    def cpu_row(name: str, figure: str) -> str:
        def shown(figures: dict[str, float]) -> str:
            low, high = figures[f"{figure}_min"], figures[f"{figure}_max"]
            return f"{figures[figure]:.0f} ({low:.0f}-{high:.0f})"

        ours, theirs = virtual["wheel"], esphome["wheel"]
        ratio = theirs[figure] / ours[figure]
        return f"| {name} | {shown(ours)} | {shown(theirs)} | {ratio:.2f} |"

    hop = (
        esphome["wheel"]["cpu_us_per_notification_without_proxy"]
        - virtual["wheel"]["cpu_us_per_notification"]
    )
    share = hop / virtual["wheel"]["cpu_us_per_notification"]
    return [
        "## Through an ESPHome proxy",
        "",
        "The same measurements on twin devices behind each transport, one transport after the "
        "other in one run of one Home Assistant: the virtual proxy (a remote scanner on the "
        "Bluetooth manager) and an emulated ESPHome proxy reached by Home Assistant's esphome "
        "integration over loopback TCP (aioesphomeapi, bleak-esphome's client, slots and GATT "
        "cache). Heart rate: median of "
        f"{results['runs']} calls beyond the band's own measuring; recovery: median of 5 drops "
        f"(HCI 0x08) to the first fresh data; the wheel: {results['wheel_rounds']} windows of "
        f"{results['window_s']:.0f} s ridden at default settings, alternating between the "
        "transports (CPU: median, and the range of the windows).",
        "",
        "| measurement | virtual proxy | ESPHome proxy | ESPHome / virtual |",
        "|---|---:|---:|---:|",
        row("wheel: complete live cycles per second", "wheel.cycles_per_s", "{:.2f}"),
        row("heart rate on demand, warm: s", "heart_rate.warm_s", "{:.2f}"),
        row("heart rate on demand, cold: s", "heart_rate.cold_s", "{:.2f}"),
        row("recovery after a drop, wheel: s", "recovery.wheel_s", "{:.2f}"),
        row("recovery after a drop, band: s", "recovery.band_s", "{:.2f}"),
        cpu_row("CPU per wheel notification, whole process: µs", "cpu_us_per_notification"),
        cpu_row(
            "CPU per wheel notification, without the emulated proxy's own share: µs",
            "cpu_us_per_notification_without_proxy",
        ),
        "",
        "The radio link sets every latency: the native API's hop over TCP adds nothing that "
        "shows at connection-event scale, and the wheel stays at the link's limit. Its cost is "
        f"CPU: about {hop:.0f} µs more per notification on Home Assistant's side "
        f"({share:.0%}), "
        "for aioesphomeapi's framing and protobuf decoding and bleak-esphome's client, beside "
        "what the emulated proxy itself spends (an ESP32's work in a real house). The whole-"
        "process figures include the emulated devices and link model, the same for both.",
        "",
    ]


def soak_section(results: dict[str, Any]) -> list[str]:
    faults = ", ".join(f"{name} {count}" for name, count in sorted(results["faults"].items()))
    measurements = ", ".join(f"{kind} {n}" for kind, n in sorted(results["measurements"].items()))
    unrecovered = sum(results["unrecovered"].values())
    return [
        "## Soak",
        "",
        f"`scripts/bench --soak {results['emulated_hours']:g}`: {results['emulated_hours']:g} "
        "emulated hours of a ridden wheel and a worn band (devices and link 100x faster than "
        "the wall clock; Home Assistant's timers at real time), random faults (seed "
        f"{results['seed']}).",
        "",
        f"- faults: {results['faults_total']} ({faults}); not recovered: {unrecovered}",
        f"- heart-rate calls between faults: {measurements}",
        f"- values outside what the devices can report: {len(results['wrong_values'])}",
        f"- resident memory, highest in the first / second half: "
        f"{results['rss_mib_first_half_max']:.1f} / {results['rss_mib_second_half_max']:.1f} "
        f"MiB; asyncio tasks: {results['tasks_first_half_max']} / "
        f"{results['tasks_second_half_max']}",
        "- resident memory every 10 emulated minutes, MiB: "
        + " ".join(f"{rss:g}" for rss in results["rss_mib_every_10_min"]),
        "",
    ]


def stack() -> str:
    """The releases the figures were measured on."""
    versions = {name: version(name) for name in STACK}
    python = ".".join(map(str, sys.version_info[:3]))
    return f"Python {python}, " + ", ".join(f"{name} {v}" for name, v in versions.items())


def earlier_soak_section() -> list[str]:
    """The soak section BENCHMARKS.md has: a soak takes hours, and its results are not kept."""
    benchmarks = ROOT / "BENCHMARKS.md"
    if not benchmarks.exists() or "\n## Soak\n" not in (text := benchmarks.read_text()):
        return []
    return ["## Soak", *text.split("\n## Soak\n", 1)[1].split("\n")]


def read(name: str) -> dict[str, Any] | None:
    """bench/results/NAME.json, if the run wrote it."""
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def main() -> None:
    lines = [
        "# Benchmarks",
        "",
        "Written by `scripts/bench`. Figures come from the emulated link model (docs/design.md, "
        "section 5) at real time; compare them as ratios measured side by side in one run, not as "
        "absolute times of this machine.",
        "",
        f"Measured on {stack()}.",
        "",
    ]
    wheel = RESULTS / "wheel_rate.json"
    if wheel.exists():
        lines += wheel_section(json.loads(wheel.read_text()))
    wheel_z = RESULTS / "wheel_z_rate.json"
    if wheel_z.exists():
        lines += wheel_z_section(json.loads(wheel_z.read_text()))
    band = RESULTS / "band_measurement.json"
    if band.exists():
        lines += band_measurement_section(json.loads(band.read_text()))
    sync = RESULTS / "band_sync.json"
    if sync.exists():
        lines += band_sync_section(json.loads(sync.read_text()))
    cost, fleet, before_after = (
        read(name) for name in ("ha_cost", "ha_cost_fleet", "ha_cost_before_after")
    )
    if cost or fleet or before_after:
        lines += ha_cost_section(cost, fleet, before_after)
    recovery = RESULTS / "recovery.json"
    if recovery.exists():
        lines += recovery_section(json.loads(recovery.read_text()))
    esphome = RESULTS / "esphome.json"
    if esphome.exists():
        lines += esphome_section(json.loads(esphome.read_text()))
    state_writes = RESULTS / "state_writes.json"
    if state_writes.exists():
        lines += state_writes_section(json.loads(state_writes.read_text()))
    soak = RESULTS / "soak.json"
    if soak.exists():
        lines += soak_section(json.loads(soak.read_text()))
    else:
        lines += earlier_soak_section()
    text = "\n".join(lines)
    (ROOT / "BENCHMARKS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
