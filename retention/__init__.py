"""The retention domain: cases, choices, Brazilian documents and pt-BR values.

Imports neither Flask nor gspread nor openpyxl.
"""
