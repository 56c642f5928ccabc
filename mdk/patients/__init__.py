"""Patients: one identity (personnummer, samordningsnummer or reservnummer), many cases."""
