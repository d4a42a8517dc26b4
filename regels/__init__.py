"""The rules: a municipality's config, validated and compiled to a first-match router."""
