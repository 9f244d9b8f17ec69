"""An in-process stand-in of the Google Sheets API that the real gspread talks to."""

from tests.standin.keys import service_account_info
from tests.standin.server import SIMPLIFICATIONS, Call, SheetsStandIn

__all__ = ["SIMPLIFICATIONS", "Call", "SheetsStandIn", "service_account_info"]
