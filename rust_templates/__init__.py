"""Jinja templates for the generated Rust crates (shipped as package data)."""
