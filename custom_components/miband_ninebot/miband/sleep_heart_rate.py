"""The 1S's heart rate during sleep: the band measures while its wearer sleeps, or not.

On, it stores the readings in the fourth byte of each minute of its activity memory
(docs/protocols/mi-band-1.md, section 3.7).

The command is 2A39 `15 00 01` (on) / `15 00 00` (off): docs/protocols/mi-band-1.md, section 3.9's
table ("heart-rate-assisted sleep detection on / off") and the sources' row 19 (Gadgetbridge's
`150001` / `150000`, section 6); the capture `gadgetbridge_205_mi_band_1s_sleep_heart_rate`
shows what the band then stores (a reading every other minute of deep sleep). The band is told at
every connection (`MiBandClient.start`), as `BandSettings.sleep_heart_rate` says; this changes
the choice, and writes it now if connected.
"""

from __future__ import annotations

from .client import MiBandClient
from .const import HEART_RATE_CONTROL_POINT_UUID


async def set_sleep_heart_rate(client: MiBandClient, enabled: bool) -> None:
    """Measure heart rate during sleep or not, now and on every later connection."""
    client.settings.sleep_heart_rate = enabled
    if client.connected:
        await client.write(HEART_RATE_CONTROL_POINT_UUID, client.settings.sleep_heart_rate_command)
