"""Per-check number cards on the Diagnostics workspace: every standard Number Card of this app that calls
`api.cards.check_status` is placed on the workspace after migrate, so a card for a new check is one JSON
file (number_card/<name>/<name>.json with filters_json {"check_id": "<id>"}) and nothing else."""

import hashlib
import json

import frappe

CARD_METHOD = "frappe_diagnostics.api.cards.check_status"
WORKSPACE = "Diagnostics"
MODULE = "Frappe Diagnostics"


def sync_check_cards() -> list[str]:
	"""Add the per-check cards the workspace lacks (idempotent); returns the names added."""
	if not frappe.db.exists("Workspace", WORKSPACE):
		return []
	cards = frappe.get_all(
		"Number Card",
		filters={"method": CARD_METHOD, "module": MODULE, "is_standard": 1},
		fields=["name", "label"],
		order_by="name",
	)
	workspace = frappe.get_doc("Workspace", WORKSPACE)
	content = json.loads(workspace.content or "[]")
	listed = {row.number_card_name for row in workspace.number_cards}
	placed = {b["data"].get("number_card_name") for b in content if b.get("type") == "number_card"}
	after = _end_of_first_card_row(content)
	added = []
	for card in cards:
		label = card.label or card.name
		if card.name not in listed:
			workspace.append("number_cards", {"number_card_name": card.name, "label": label})
			added.append(card.name)
		if label not in placed:
			after += 1
			block = hashlib.md5(card.name.encode()).hexdigest()[:4]
			data = {"number_card_name": label, "col": 3}
			content.insert(after, {"id": f"diagck{block}", "type": "number_card", "data": data})
			if card.name not in added:
				added.append(card.name)
	if added:
		workspace.content = json.dumps(content, separators=(",", ":"))
		workspace.save(ignore_permissions=True)
	return added


def _end_of_first_card_row(content: list[dict]) -> int:
	"""The index of the last card of the first run of number cards (Site health): per-check cards join
	that run, not a later section's (Recovery's cards sit further down)."""
	first = next((i for i, b in enumerate(content) if b.get("type") == "number_card"), None)
	if first is None:
		return 0
	end = first
	while end + 1 < len(content) and content[end + 1].get("type") == "number_card":
		end += 1
	return end
