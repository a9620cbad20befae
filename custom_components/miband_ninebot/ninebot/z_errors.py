"""What a One Z's error codes mean, where a source says.

WheelLog's `NinebotZAdapter.getErrorString` (a21ccb32) names these codes, which it reads from
the version block (0x1A: bytes 2 and 3, "error1" and "error2"); its Z10 test decodes the captured
`... 1A 77 10 19 18 00 00 ...` into "Err:25 VGM - Voltage < 10V" and "Err:24 General voltage >
65V or < 40V". The same numbering for the live error register 0xB0 is an inference: WheelLog
reads 0xB0 as "errorcode" but shows nothing of it. The texts are WheelLog's, in English; a code
missing here has no known meaning.
"""

from __future__ import annotations

Z_ERRORS: dict[int, str] = {
    1: "Motor hall sensor error",
    6: "Initial S/N",
    8: "Error Bat input 1",
    9: "Error Bat input 2",
    10: "Abnormal communication Bat#1",
    11: "Abnormal communication Bat#2",
    12: "Failure of Gyroscope initialization",
    24: "General voltage > 65V or < 40V",
    25: "VGM - Voltage < 10V",
    28: "Abnormal power supply Bat#1",
    29: "Abnormal power supply Bat#2",
    34: "Battery cell of Bat#1 in big differential voltage",
    35: "Battery cell of Bat#2 in big differential voltage",
    36: "Bat#1 input error 0x800",
    37: "Bat#2 input error 0x800",
    38: "3c1e8 != 0x5A",
}


def error_meaning(code: int) -> str | None:
    """WheelLog's text for a Z's error code, None where it has none."""
    return Z_ERRORS.get(code)
