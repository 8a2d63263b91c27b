"""集智思源 contest portal: the domain package (no streamlit here)."""
