"""What the app draws and lays out from cases, outside any route: charts, indicator tables, PDF."""
