"""Real Mi Band captures through the band's pure decoders, asserting what the sources printed.

Captures (tests/captures/, provenance in each file): Mi Fit and a Mi Band 1 (mibanda's btsnoop
and its author's transcription), a Mi Band 1S on Linux (StackOverflow 37779288: an hcidump and a
gatttool session), and Mi Fit measuring a 1S's heart rate (Gadgetbridge issue 178).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import pairwise
import re

from bleak.assigned_numbers import CHARACTERISTIC_PROPERTIES
from bluetooth_data_tools import parse_advertisement_data_bytes
from miband import activity, protocol
from miband.activity import BlockAssembler, Category
from miband.advertisement import MODEL_MI_BAND_1, MODEL_MI_BAND_1S, model_from_advertisement
from miband.latency import LeParams
from miband.protocol import Gender, MalformedValueError, UserInfo, UserInfoType
import pytest

from emulator.captures import att, btsnoop, corpus, hci, hcidump
from emulator.captures.att import Opcode, Operation
from emulator.captures.mi_fit import (
    FF0A,
    FF0C,
    FF01,
    FF03,
    FF04,
    FF05,
    FF06,
    FF07,
    FF09,
    FIRST,
    MI_FIT,
    SECOND,
    mi_fit_items,
    mi_fit_operations,
    values_of,
)
from emulator.devices import catalog
from emulator.devices.band import MiBand

MI_BAND_1 = "88:0F:10:10:73:DA"
CCCD = "00002902-0000-1000-8000-00805f9b34fb"


def test_every_capture_says_where_it_comes_from() -> None:
    for name in corpus.names():
        source = corpus.load(name).source
        assert source.url.startswith(("https://", "http://")), name
        assert source.device, name
        if source.repository is not None:
            assert re.fullmatch(r"[0-9a-f]{40}", source.commit or ""), name
            assert source.url.startswith(f"https://github.com/{source.repository}/"), name


def test_the_btsnoop_records_are_the_whole_file() -> None:
    capture = corpus.load(MI_FIT)
    records = btsnoop.from_lines(capture.content["btsnoop"]["records"])
    assert capture.source.sha256 is not None
    assert len(records) == 634  # every record of lab/capture.log, none dropped in conversion
    assert capture.content["btsnoop"]["started"].isoformat() == "2014-12-05T20:13:46.166652+00:00"


def test_the_author_s_transcription_is_in_the_capture() -> None:
    """Every value mibanda's author wrote down is an operation of the first connection."""
    text = corpus.load("mibanda_session_analysis").content["transcription"]["text"]
    kinds = {
        "write": Opcode.WRITE_REQUEST,
        "read": Opcode.READ_RESPONSE,
        "notify": Opcode.HANDLE_VALUE_NOTIFICATION,
    }
    transcribed = [
        (kinds[kind], int(handle, 16), bytes.fromhex(value))
        for kind, handle, value in re.findall(
            r"^- (write|read|notify)\s+(0x[0-9a-f]{4}) -> ([0-9a-f ]+?)\s*$", text, re.MULTILINE
        )
    ]
    assert len(transcribed) == 19
    captured = [(o.opcode, o.handle, o.value) for o in mi_fit_operations(FIRST)]
    position = 0
    for operation in transcribed:
        # In the author's order; a notification's transcription is its first packet.
        position = next(
            index
            for index in range(position, len(captured))
            if captured[index][:2] == operation[:2] and captured[index][2].startswith(operation[2])
        )


def test_mi_band_1_advertises_its_name_only_in_the_scan_response() -> None:
    reports = [i for i in mi_fit_items() if isinstance(i, hci.AdvertisingReport)]
    kinds = Counter(report.event_type for report in reports)
    assert kinds == {hci.AdvertisingEventType.ADV_IND: 6, hci.AdvertisingEventType.SCAN_RSP: 1}
    assert {report.address for report in reports} == {MI_BAND_1}
    assert all(report.public_address for report in reports)

    advertisement = next(
        r.data for r in reports if r.event_type is hci.AdvertisingEventType.ADV_IND
    )
    response = next(r.data for r in reports if r.event_type is hci.AdvertisingEventType.SCAN_RSP)
    name, uuids, service_data, manufacturer_data, _tx = parse_advertisement_data_bytes(
        advertisement
    )
    assert name is None
    assert manufacturer_data == {}
    assert service_data == {}
    assert [uuid[4:8] for uuid in uuids] == ["fee0", "fee1", "fee7"]
    name, uuids, _data, manufacturer_data, _tx = parse_advertisement_data_bytes(response)
    assert name == "MI"
    assert uuids == []
    assert manufacturer_data == {0x0157: bytes.fromhex("880f101073da")}  # its own address

    # Offered as it is heard passively (the advertisement alone) and actively (both merged).
    passive = parse_advertisement_data_bytes(advertisement)
    assert model_from_advertisement(MI_BAND_1, None, passive[1], passive[3], passive[2]) == (
        MODEL_MI_BAND_1
    )
    active = parse_advertisement_data_bytes(advertisement + response)
    assert model_from_advertisement(MI_BAND_1, active[0], active[1], active[3], active[2]) == (
        MODEL_MI_BAND_1
    )


def test_mi_band_1s_advertises_neither_a_service_nor_a_name() -> None:
    text = corpus.load("so37779288_mi_band_1s_hcidump").content["hcidump"]["text"]
    reports = [i for i in hcidump.read(text) if isinstance(i, hcidump.AdvertisingReportSeen)]
    assert len(reports) == 1
    report = reports[0]
    assert (report.event_type, report.address, report.public_address) == (
        "ADV_IND",
        "C8:0F:10:32:CA:B6",
        True,
    )
    # Flags, and six bytes of manufacturer-specific data hcidump did not print (BlueZ counts the
    # company id in them): nothing to match but the address and a company id.
    assert [(s.ad_type, s.length, s.data) for s in report.structures] == [
        (0x01, 1, b"\x06"),
        (0xFF, 6, None),
    ]
    assert model_from_advertisement(report.address, None, [], {}) == MODEL_MI_BAND_1S


@pytest.mark.parametrize(
    ("title", "address", "name", "uuids", "manufacturer_data", "service_data"),
    [
        # Gadgetbridge #396 (JohnnySun, 2016-09-22): a Mi Band 2's Android ScanRecord.
        (
            "mi_band_2",
            "D2:C8:48:09:71:CF",
            "MI Band 2",
            ["fee0", "fee7"],
            {0x0157: "00bcfe011fba28ec5993f3088698411bcd00d2c8480971cf"},
            [],
        ),
        # Gadgetbridge #274: an Amazfit Moonbeam on Huami's 1-series OUI, named MI: only its
        # device info tells it apart (below), so the advertisement is let through.
        # ble_monitor #875: a Mi Band 6's passive advertisement.
        (
            "mi_band_6",
            "C5:09:3F:89:0B:4B",
            None,
            [],
            {0x0157: "02ffffffffffffffffffffffffffffffff03c5093f890b4b"},
            [],
        ),
        # Wingjam/ReverseMiScale: a first Mi Scale on the 1S's OUI, with its weight service.
        ("mi_scale", "C8:0F:10:BF:CC:66", "MI_SCALE", ["181d"], {0x0157: "c80f10bfcc66"}, []),
        # ble_monitor #292: a Mi Scale's passive advertisement (no name; service data 181D).
        ("mi_scale_passive", "88:0F:10:A0:FA:47", None, ["181d"], {}, ["181d"]),
        # A 1-series OUI sending another device's address in Huami's data.
        ("foreign_address", "88:0F:10:00:00:01", None, [], {0x0157: "880f10000002"}, []),
    ],
)
def test_look_alikes_of_company_0x0157_are_not_bands(
    title: str,
    address: str,
    name: str | None,
    uuids: list[str],
    manufacturer_data: dict[int, str],
    service_data: list[str],
) -> None:
    def full(short: str) -> str:
        return f"0000{short}-0000-1000-8000-00805f9b34fb"

    assert (
        model_from_advertisement(
            address,
            name,
            [full(uuid) for uuid in uuids],
            {k: bytes.fromhex(v.replace(" ", "")) for k, v in manufacturer_data.items()},
            [full(uuid) for uuid in service_data],
        )
        is None
    ), title


def test_mi_band_1_gatt_table_is_what_its_emulation_serves() -> None:
    table = att.discovered_table(mi_fit_operations(FIRST))
    layout = [(service.uuid[4:8], service.handle, service.end_handle) for service in table]
    assert layout == [
        ("1800", 0x01, 0x09),
        ("1801", 0x0C, 0x0F),
        ("fee0", 0x10, 0x33),
        ("fee1", 0x34, 0x3A),
        ("fee7", 0x3B, 0x42),
    ]
    mili = {c.uuid[4:8]: c for c in table[2].characteristics}
    assert {uuid: c.value_handle for uuid, c in mili.items() if uuid in {"ff01", "ff04"}} == {
        "ff01": FF01,
        "ff04": FF04,
    }
    # Properties as declared: FF05 write only, FF03 read + notify, FF08 write without response.
    assert (mili["ff05"].properties, mili["ff03"].properties, mili["ff08"].properties) == (
        0x08,
        0x12,
        0x04,
    )
    assert mili["ff03"].descriptors == {0x17: CCCD}


def test_mi_band_1s_gatt_table_from_its_hcidump() -> None:
    text = corpus.load("so37779288_mi_band_1s_hcidump").content["hcidump"]["text"]
    table = att.discovered_table(att.operations(hcidump.read(text)))
    assert [(s.uuid[4:8], s.handle, s.end_handle) for s in table] == [
        ("1800", 0x01, 0x09),
        ("1801", 0x0C, 0x0F),
        ("fee0", 0x10, 0x39),
        ("fee1", 0x3A, 0x48),
        ("180d", 0x49, 0x4E),
        ("1802", 0x4F, 0x51),
    ]
    chars = {c.uuid[4:8]: c for s in table for c in s.characteristics}
    # The 1S has FF10 and FEC9 in FEE0, its heart-rate control point is read + write, and its
    # alert level takes only writes without response.
    assert chars["ff10"].properties == 0x10
    assert (chars["2a37"].value_handle, chars["2a39"].value_handle) == (0x4B, 0x4E)
    assert chars["2a39"].properties == 0x0A
    assert chars["2a06"].properties == 0x04


def test_mi_fit_s_user_info_is_what_we_would_send() -> None:
    """Our encoder rebuilds Mi Fit's two records byte for byte, checksum included."""
    writes = values_of(mi_fit_operations(), Opcode.WRITE_REQUEST, FF04)
    assert len(writes) == 2
    device_info = protocol.parse_device_info(
        values_of(mi_fit_operations(FIRST), Opcode.READ_RESPONSE, FF01)[0]
    )
    for written, kind in zip(writes, (UserInfoType.NORMAL, UserInfoType.CLEAR_DATA), strict=True):
        user = UserInfo(
            user_id=int.from_bytes(written[0:4], "little"),
            gender=Gender.MALE,
            age=30,
            height=189,
            weight=78,
            alias="1548672638",
            type=kind,
        )
        assert user.encode(MI_BAND_1, device_info) == written


def test_a_known_user_is_accepted_and_clearing_the_data_asks_for_a_tap() -> None:
    operations = mi_fit_operations()
    first = values_of([o for o in operations if o.connection == FIRST], 0x1B, FF03)
    second = values_of([o for o in operations if o.connection == SECOND], 0x1B, FF03)
    assert first == [b"\x05"]  # type NORMAL: authenticated at once
    # Type CLEAR_DATA: failed, then vibrating for a tap; the tap came 14 s later.
    assert second == [b"\x06", b"\x13", b"\x0a", b"\x15"]
    codes = [protocol.Notification(value[0]) for value in first + second]
    assert [code in protocol.AUTHENTICATED for code in codes] == [
        True,
        False,
        False,
        True,
        True,
    ]


def test_the_band_s_clock_is_the_second_half_of_ff0a() -> None:
    """Mi Fit writes the date; the band keeps its own clock, 36 s ahead, in bytes 6-11."""
    operations = mi_fit_operations()
    written = values_of(operations, Opcode.WRITE_REQUEST, FF0A)
    read = values_of(operations, Opcode.READ_RESPONSE, FF0A)
    assert written[0] == protocol.encode_date_time_write(datetime(2014, 12, 5, 21, 13, 51))
    assert written[1] == protocol.encode_date_time_write(datetime(2014, 12, 5, 21, 14, 56))
    for sent, answer in zip(written, read, strict=True):
        assert answer[:6] == sent[:6]  # the first half repeats what was written
        assert protocol.band_clock(answer) - protocol.decode_date(sent) == timedelta(seconds=36)
    # The activity headers' stamps follow the band's clock, not the date written.
    end_headers = [
        activity.parse_header(value)
        for value in values_of(operations, 0x1B, FF07)
        if len(value) == activity.HEADER_LENGTH and value[-2:] == b"\x00\x00"
    ]
    for header, answer in zip(end_headers, read, strict=True):
        assert abs(header.start - protocol.band_clock(answer)) < timedelta(seconds=5)


def test_battery_device_info_and_parameters_decode_as_mibanda_read_them() -> None:
    operations = mi_fit_operations()
    battery = protocol.parse_battery_info(values_of(operations, Opcode.READ_RESPONSE, FF0C)[0])
    assert battery == protocol.BatteryInfo(
        level=93,
        last_charged=datetime(2014, 10, 18, 4, 55, 24),
        charge_cycles=5,
        state=protocol.BatteryState.NOT_CHARGING,
    )
    info = protocol.parse_device_info(values_of(operations, Opcode.READ_RESPONSE, FF01)[0])
    assert (info.model, info.firmware_version, info.profile_version) == (
        MODEL_MI_BAND_1,
        "1.0.4.9",
        "2.0.6.0",
    )
    assert info.heart_rate_firmware_version is None
    parameters = {LeParams.decode(v) for v in values_of(operations, Opcode.READ_RESPONSE, FF09)}
    # What the band prefers (575-625 ms, 7 s) and the interval it runs at: Android's 48.75 ms.
    assert parameters == {LeParams(460, 500, 0, 700, interval=39, advertising_interval=2400)}
    assert protocol.parse_steps(values_of(operations, Opcode.READ_RESPONSE, FF06)[0]) == 4213


def test_the_connection_runs_at_the_central_s_parameters() -> None:
    """No update in three minutes of two connections: the band keeps Android's 48.75 ms, 7 s."""
    items = mi_fit_items()
    connections = [i for i in items if isinstance(i, hci.ConnectionComplete)]
    assert [(c.handle, c.address) for c in connections] == [(2, MI_BAND_1), (3, MI_BAND_1)]
    for connection in connections:
        assert connection.parameters == hci.ConnectionParameters(39, 0, 700)
        assert connection.parameters.interval_seconds == pytest.approx(0.04875)
        assert connection.parameters.supervision_timeout_seconds == 7.0
    assert not [i for i in items if isinstance(i, hci.ConnectionUpdateComplete)]
    assert not [
        i for i in items if isinstance(i, hci.L2capPdu) and i.channel == hci.CID_LE_SIGNALLING
    ]


def test_the_band_fills_each_connection_event_with_notifications() -> None:
    """4714 bytes of activity in 0.68 s: up to 17 notifications every 48.75 ms event."""
    notifications = [o for o in mi_fit_operations(FIRST) if o.opcode == 0x1B and o.handle == FF07]
    assert len(notifications) == 237
    bursts: list[list[Operation]] = [[notifications[0]]]
    for earlier, later in pairwise(notifications):
        if later.time - earlier.time > 0.02:
            bursts.append([])
        bursts[-1].append(later)
    assert max(len(burst) for burst in bursts) == 17
    gaps = [b[0].time - a[0].time for a, b in pairwise(bursts)][:13]
    assert all(abs(gap - 0.04875) < 0.005 for gap in gaps)


def test_the_activity_transfer_decodes_to_mi_fit_s_acknowledgements() -> None:
    operations = mi_fit_operations(FIRST)
    assembler = BlockAssembler(has_heart_rate=False, packet_counter=False)
    blocks = [
        block for value in values_of(operations, 0x1B, FF07) if (block := assembler.feed(value))
    ]
    assert [len(block.minutes) for block in blocks] == [1564, 0]
    first, end = blocks
    assert first.header.start == datetime(2014, 12, 4, 19, 10, 23)
    assert first.header.total_count == first.header.block_count == 1564
    assert sum(minute.steps for minute in first.minutes) == 6836
    # Mi Fit acknowledges each block with its date and its count of minutes, as we do.
    acks = [v for v in values_of(operations, Opcode.WRITE_REQUEST, FF05) if v[0] == 0x0A]
    assert acks == [first.header.acknowledgement(), end.header.acknowledgement()]


def test_the_end_of_a_transfer_comes_before_the_acknowledgement() -> None:
    """The band does not wait: the end header follows the data, a second before Mi Fit's ack."""
    operations = mi_fit_operations(FIRST)
    end_header = next(
        o
        for o in operations
        if o.handle == FF07 and o.value == bytes.fromhex("010e0b05150e171c060000")
    )
    first_ack = next(
        o
        for o in operations
        if o.handle == FF05 and o.opcode == Opcode.WRITE_REQUEST and o.value[0] == 0x0A
    )
    assert end_header.time < first_ack.time


def test_minutes_whose_category_has_a_high_nibble_are_walking() -> None:
    """Mi Fit reads the mode from the low nibble (its SportData); the high nibble counts runs."""
    operations = mi_fit_operations(FIRST)
    assembler = BlockAssembler(has_heart_rate=False, packet_counter=False)
    minutes = next(
        block.minutes
        for value in values_of(operations, 0x1B, FF07)
        if (block := assembler.feed(value))
    )
    high = [minute for minute in minutes if minute.category > 0x0F]
    assert Counter(minute.category for minute in high) == {0x10: 2, 0x11: 17, 0x21: 14, 0x31: 6}
    assert sum(minute.steps for minute in high) == 2694
    assert {minute.mode for minute in high} == {Category.STILL, Category.WALKING}
    assert all(minute.worn is True and minute.asleep is False for minute in high)
    # And the night: light and deep sleep minutes are asleep.
    assert sum(1 for minute in minutes if minute.asleep) == 46 + 293


def test_mi_fit_s_settings_are_what_we_would_send() -> None:
    writes = values_of(mi_fit_operations(SECOND), Opcode.WRITE_REQUEST, FF05)
    assert protocol.encode_step_goal(8000) in writes
    assert protocol.WEAR_LEFT in writes
    assert activity.FETCH_ACTIVITY in writes
    # The three alarm slots: the first on (07:30, 30 minute smart window, Monday to Friday), the
    # others off with a time Mi Fit gave seconds (22): not all alarms are whole minutes.
    alarms = [value for value in writes if value[0] == 0x04]
    assert [value.hex() for value in alarms] == [
        "0400010e0b04071e001e1f",
        "0401000e0b04080016001f",
        "0402000e0b04080016001f",
    ]


def test_mi_fit_s_heart_rate_measurement_on_a_1s() -> None:
    """The command, its write response 1.29 s late (the sensor starting), 70 bpm at 10 s."""
    text = corpus.load("gadgetbridge_178_mi_band_1s_heart_rate").content["hexdump"]["text"]
    capture = btsnoop.read(bytes.fromhex("".join(text.split())))
    assert capture.started.date().isoformat() == "2015-11-29"
    command, response, value = att.operations(hci.decode(capture.records))
    assert (command.opcode, command.handle, command.value) == (
        Opcode.WRITE_REQUEST,
        0x4E,
        protocol.HR_MANUAL_ON,
    )
    assert response.opcode == Opcode.WRITE_RESPONSE
    assert response.time == pytest.approx(1.289, abs=0.001)
    assert (value.opcode, value.handle) == (Opcode.HANDLE_VALUE_NOTIFICATION, 0x4B)
    assert protocol.parse_heart_rate(value.value) == 70
    assert value.time == pytest.approx(10.0, abs=0.01)


def test_a_1s_on_linux_authenticates_then_drops_when_its_sensor_starts() -> None:
    text = corpus.load("so37779288_mi_band_1s_hcidump").content["hcidump"]["text"]
    items = hcidump.read(text)
    create = next(i for i in items if isinstance(i, hcidump.CreateConnection))
    # The kernel's defaults of the time: 50-70 ms, and a 420 ms supervision timeout.
    assert (create.min_interval, create.max_interval) == (40, 56)
    assert create.parameters.supervision_timeout_seconds == pytest.approx(0.42)
    operations = att.operations(items)
    # A Read By Type of FF01 gets 19 bytes (MTU 23): too short for our parser, which wants the
    # full read a 1S answers with 20.
    by_type = next(
        o for o in operations if o.opcode == Opcode.READ_BY_TYPE_RESPONSE and o.value[0] == 21
    )
    with pytest.raises(MalformedValueError):
        protocol.parse_device_info(by_type.value[3:])
    record = values_of(operations, Opcode.WRITE_REQUEST, 0x19)[0]
    user = UserInfo(0x5C63E4F6, Gender.MALE, 30, 193, 74, alias="15500505")
    info = protocol.DeviceInfo(4, 0, 4, "2.0.6.0", "4.16.3.7", None)
    assert user.encode("C8:0F:10:32:CA:B6", info) == record
    assert values_of(operations, 0x1B, 0x16) == [b"\x05"]
    assert values_of(operations, Opcode.WRITE_REQUEST, 0x4E) == [protocol.HR_MANUAL_ON]
    drop = next(i for i in items if isinstance(i, hci.DisconnectionComplete))
    assert drop.reason == 0x08  # connection timeout: nothing heard for 420 ms


def test_a_1s_with_gatttool_measures_71_bpm() -> None:
    text = corpus.load("so37779288_mi_band_1s_gatttool").content["gatttool"]["text"]
    read = re.search(r"char-read-hnd 0x0012\nCharacteristic value/descriptor: ([0-9a-f ]+)", text)
    assert read is not None
    info = protocol.parse_device_info(bytes.fromhex(read[1].replace(" ", "")))
    assert (info.model, info.firmware_version, info.heart_rate_firmware_version) == (
        MODEL_MI_BAND_1S,
        "4.16.4.22",
        "1.3.76.22",
    )
    writes = dict(re.findall(r"char-write-req (0x[0-9a-f]{4}) ([0-9a-f]+)", text))
    user = UserInfo(1626652276, Gender.FEMALE, 25, 175, 65, alias="test")
    assert user.encode("C8:0F:10:3C:7E:51", info).hex() == writes["0x0019"]
    assert protocol.decode_date(bytes.fromhex(writes["0x0028"])) == datetime(2016, 8, 31, 17, 1, 56)
    assert writes["0x004e"] == protocol.HR_MANUAL_ON.hex()
    values = re.findall(r"Notification handle = (0x[0-9a-f]{4}) value: ([0-9a-f ]+)", text)
    assert protocol.parse_heart_rate(bytes.fromhex(values[-1][1].replace(" ", ""))) == 71
    # The 1S's realtime steps notify four bytes (Gadgetbridge and Mi Fit parse two).
    assert [len(bytes.fromhex(v.replace(" ", ""))) for h, v in values if h == "0x001d"] == [4, 4]


@pytest.mark.parametrize(
    ("make_band", "table"),
    [
        (catalog.mi_band_1, lambda: att.discovered_table(mi_fit_operations(FIRST))),
        (
            catalog.mi_band_1s,
            lambda: att.discovered_table(
                att.operations(
                    hcidump.read(
                        corpus.load("so37779288_mi_band_1s_hcidump").content["hcidump"]["text"]
                    )
                )
            ),
        ),
    ],
    ids=["mi_band_1", "mi_band_1s"],
)
def test_the_emulated_bands_serve_the_captured_gatt_tables(
    make_band: Callable[[], MiBand], table: Callable[[], list[att.DiscoveredService]]
) -> None:
    """Handles, UUIDs, property bits and CCCDs, as the band gave them to Mi Fit and to Linux."""
    gatt = make_band().gatt
    emulated = [
        (
            gatt.service_handle(service),
            service.uuid,
            [
                (
                    gatt.value_handle(char),
                    char.uuid,
                    sum(
                        mask
                        for mask, name in CHARACTERISTIC_PROPERTIES.items()
                        if name in char.properties
                    ),
                    gatt.cccd_handle(char),
                )
                for char in service.characteristics
            ],
        )
        for service in gatt.services
    ]
    captured = [
        (
            service.handle,
            service.uuid,
            [
                (char.value_handle, char.uuid, char.properties, next(iter(char.descriptors), None))
                for char in service.characteristics
            ],
        )
        for service in table()
    ]
    if not any(char.descriptors for service in table() for char in service.characteristics):
        # The hcidump's client found no descriptors (it never asked): compare the CCCDs with
        # the handles its and gatttool's writes of 01 00 went to instead.
        cccds = {c[0]: c[3] for service in emulated for c in service[2] if c[3] is not None}
        assert {cccds[0x16], cccds[0x1D], cccds[0x2C], cccds[0x4B]} == {0x17, 0x1E, 0x2D, 0x4C}
        emulated = [(h, u, [(*c[:3], None) for c in chars]) for h, u, chars in emulated]
    assert emulated == captured


def test_the_emulated_mi_band_1_advertises_what_the_real_one_did() -> None:
    reports = [i for i in mi_fit_items() if isinstance(i, hci.AdvertisingReport)]
    advertisement = catalog.mi_band_1().advertisement
    assert {r.data for r in reports if r.event_type is hci.AdvertisingEventType.ADV_IND} == {
        advertisement.data
    }
    assert [r.data for r in reports if r.event_type is hci.AdvertisingEventType.SCAN_RSP] == [
        advertisement.scan_response
    ]


def test_the_emulated_mi_band_1s_advertises_the_captured_structure() -> None:
    """Flags and six bytes of manufacturer data in the advertisement (their content unknown)."""
    data = catalog.mi_band_1s().advertisement.data
    assert data[:3] == bytes.fromhex("020106")
    assert (data[3], data[4], len(data)) == (7, 0xFF, 3 + 8)


def test_a_1s_records_four_bytes_a_minute_with_its_sleep_heart_rate() -> None:
    """Gadgetbridge 205: deep sleep minutes, a heart rate every other minute, 0xFF between."""
    text = corpus.load("gadgetbridge_205_mi_band_1s_sleep_heart_rate").content["log"]["text"]
    values = [
        bytes(int(byte, 16) for byte in line.split("value:")[1].split())
        for line in text.splitlines()
        if "characteristic changed: 0000ff07" in line
    ]
    assert [len(value) for value in values] == [20, 20]
    minutes = activity.parse_minutes(datetime(2016, 1, 6), b"".join(values), 4)
    assert [minute.heart_rate for minute in minutes] == [
        None, 68, None, 67, None, 66, None, 67, None, 66,
    ]  # fmt: skip
    assert {(minute.category, minute.intensity, minute.steps) for minute in minutes} == {(5, 0, 0)}
    assert all(minute.asleep for minute in minutes)
