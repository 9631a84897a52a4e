from frappe_diagnostics.cli import main

main()
