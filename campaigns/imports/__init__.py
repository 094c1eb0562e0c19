"""Onboarding a district from its spreadsheets: the template, the checks and the one write.

``workbook`` reads and checks an uploaded .xlsx (file-level problems and each
row's own values), ``services.district_import`` checks the rows against the
database and writes everything in one transaction, ``template`` builds the
downloadable template, and ``views`` holds the department's page.
"""
