"""WheelLog's captured Z10 frames, through the integration's own 5A A5 codec.

Every decode vector of `tests/captures/wheellog_z10_adapter_test.toml` is fed notification by
notification, as WheelLog's test feeds its adapter, and must give the values WheelLog asserts of
it; every setter vector must be what our encoder writes for the same setting.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ninebot.battery_pack import battery_pack
from ninebot.protocol import LiveValues, firmware_version, serial_number
from ninebot.protocol_z import (
    ADDRESS_APP,
    ADDRESS_CONTROLLER,
    ADDRESS_PACK_1,
    ADDRESS_PACK_2,
    BLE_VERSION,
    COMMAND_ANSWER,
    KEY_REQUEST,
    ONE_Z,
    SERIAL_COUNT,
    SERIAL_FIRST,
    VERSION_FIRST,
    ZFrame,
    ZStreamDecoder,
    encode_read,
    encode_write,
    key_from_answer,
    version_errors,
)
from ninebot.z_errors import error_meaning
import pytest

from emulator.captures import corpus

CAPTURE = "wheellog_z10_adapter_test"
VECTORS: dict[str, dict[str, Any]] = {v["test"]: v for v in corpus.load(CAPTURE).content["vectors"]}


def _asserted(vector: dict[str, Any]) -> dict[str, Any]:
    """WheelLog's `assertThat(x).isEqualTo(v)` lines as {x: v}."""
    found = (re.fullmatch(r"assertThat\((.+)\)\.isEqualTo\((.+)\)", a) for a in vector["asserts"])
    return {match[1]: json.loads(match[2]) for match in found if match is not None}


def _decoded(test: str) -> ZFrame:
    """The one frame a decode vector's notifications give, fed one by one."""
    decoder = ZStreamDecoder()
    frames = [f for part in VECTORS[test]["hex"] for f in decoder.feed(bytes.fromhex(part))]
    assert len(frames) == 1
    assert decoder.stats.skipped_bytes == 0
    return frames[0]


def test_serial_answer() -> None:
    frame = _decoded("decode z10 sn data")
    assert (frame.source, frame.destination, frame.command) == (
        ADDRESS_CONTROLLER,
        ADDRESS_APP,
        COMMAND_ANSWER,
    )
    asserted = _asserted(VECTORS["decode z10 sn data"])
    assert serial_number(frame.registers()) == asserted["data.serial"]


def test_version_answer_gives_the_version_and_the_errors_with_their_meanings() -> None:
    registers = _decoded("decode z10 version data").registers()
    asserted = _asserted(VECTORS["decode z10 version data"])

    assert firmware_version(registers[0x1A]) == asserted["data.version"]
    codes = version_errors(registers)
    # WheelLog prints "Err:<code> <meaning>" per error, joined by a line break.
    printed = "\n".join(f"Err:{code} {error_meaning(code)}" for code in codes)
    assert printed == asserted["data.error"]


def test_key_answer_is_a_sixteen_byte_gamma() -> None:
    frame = _decoded("decode z10 key data")
    gamma = key_from_answer(frame)
    assert gamma is not None
    assert len(gamma) == 16
    assert gamma.hex() == "000000000000" + "3cc76a7b1c7d9123de05"
    # WheelLog's `getKey`: `5A A5 00 3E 16 5B 00 ck`, ck = ~(3E + 16 + 5B) = FF50, sent 50 FF.
    assert KEY_REQUEST.encode() == bytes.fromhex("5aa5003e165b0050ff")


def test_live_block_gives_wheellog_s_values() -> None:
    frame = _decoded("decode z10 life data")
    asserted = _asserted(VECTORS["decode z10 life data"])
    live = LiveValues.from_registers(frame.registers(), ONE_Z)
    assert live is not None

    assert live.speed == asserted["data.speedDouble"]
    assert live.voltage == asserted["data.voltageDouble"]
    assert live.current == asserted["data.currentDouble"]
    assert live.temperature == asserted["data.temperature"]
    assert live.total_distance * 1000 == pytest.approx(asserted["data.totalDistance"])
    assert live.power == asserted["data.powerDouble"]
    assert live.battery == asserted["data.batteryLevel"]
    assert live.average_speed == 14.02  # 0x057A, beside the speed's 0x0A9C in the same unit
    assert live.trip_distance == 2.91
    assert live.trip_time == 1133
    assert live.locked is None  # a Z's lock is its register 0x70, not in this block


@pytest.mark.parametrize(("number", "address"), [(1, ADDRESS_PACK_1), (2, ADDRESS_PACK_2)])
def test_battery_pack_blocks_give_wheellog_s_values(number: int, address: int) -> None:
    registers: dict[int, int] = {}
    for block in ("sn", "status", "cells"):
        frame = _decoded(f"decode z10 bms{number} {block} data")
        assert (frame.source, frame.destination) == (address, ADDRESS_APP)
        registers.update(frame.registers())
    pack = battery_pack(number, registers)
    assert pack is not None
    assert pack.identity is not None
    assert pack.status is not None
    sn = _asserted(VECTORS[f"decode z10 bms{number} sn data"])
    status = _asserted(VECTORS[f"decode z10 bms{number} status data"])
    cells = _asserted(VECTORS[f"decode z10 bms{number} cells data"])
    bms = f"data.bms{number}"

    assert pack.identity.serial_number == sn[f"{bms}.serialNumber"]
    assert pack.identity.version == sn[f"{bms}.versionNumber"]
    assert pack.identity.design_capacity == sn[f"{bms}.factoryCap"]
    assert pack.identity.full_capacity == sn[f"{bms}.actualCap"]
    assert pack.identity.cycles == sn[f"{bms}.fullCycles"]
    assert pack.identity.charge_count == sn[f"{bms}.chargeCount"]
    assert pack.identity.manufactured is not None
    assert pack.identity.manufactured.strftime("%d.%m.%Y") == sn[f"{bms}.mfgDateStr"]
    assert pack.status.status == status[f"{bms}.status"]
    assert pack.status.remaining_capacity == status[f"{bms}.remCap"]
    assert pack.status.state_of_charge == status[f"{bms}.remPerc"]
    assert pack.status.current == status[f"{bms}.current"]
    assert pack.status.voltage == status[f"{bms}.voltage"]
    assert pack.status.temperatures == (status[f"{bms}.temp1"], status[f"{bms}.temp2"])
    assert pack.status.balancing == status[f"{bms}.balanceMap"]
    assert pack.status.health == status[f"{bms}.health"]
    expected_cells = [cells[f"{bms}.cells[{n}]"] for n in range(16)]
    assert list(pack.cells) == [v for v in expected_cells if v]  # the 0 V slots left out
    assert len(pack.cells) == 14
    assert pack.cell_delta == round(max(pack.cells) - min(pack.cells), 3)


def test_lock_write_is_encoded_as_wheellog_writes_its_registers() -> None:
    # WheelLog's tested drive-flag writes share the one-word write our lock uses.
    for vector in ("setDrl command", "setLightState command", "setBrakeAssist command"):
        for expected in VECTORS[vector]["frames"]:
            wire = bytes.fromhex(expected["hex"])
            value = int.from_bytes(wire[7:9], "little")
            assert encode_write(wire[6], value).encode() == wire, expected["name"]
    assert encode_write(0x70, 1).encode()[:9] == bytes.fromhex("5aa5023e1403700100")


def test_eucwatch_s_z10_reads_are_our_reads() -> None:
    """eucWatch's Z10 module reads the live block, the BLE version, the serial and the version.

    Its reads are frames our encoder makes. (Our own reads differ in length where we want more
    or less: the version block with WheelLog's errors, the live block without the speed copies.)
    """
    literals = [
        bytes(int(part, 0) for part in vector["literal"].strip("[]").split(","))
        for vector in corpus.load("eucwatch_command_literals").content["vectors"]
        if vector["file"].startswith("eucNinebotZ/")
    ]
    ours = {
        encode_read(0xB0, 16).encode(),  # the live block, 32 bytes
        encode_read(BLE_VERSION, 1).encode(),
        encode_read(SERIAL_FIRST, SERIAL_COUNT).encode(),
        encode_read(VERSION_FIRST, 1).encode(),  # the version word alone
    }
    assert set(literals) == ours
