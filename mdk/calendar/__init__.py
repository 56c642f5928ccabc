"""Calendar rules: Swedish public holidays, de-facto closed eves, configured closures."""
