"""Sector and skill reports over submitted assessments."""
