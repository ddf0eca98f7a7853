"""Questionnaires: versions (draft -> published, then immutable), skills, questions, options, rubric."""
