"""The import contract import-linter cannot express by itself: apps meet only through public faces.

`faces`: an app may import another app only through that app's `services` or `selectors` modules
(and what lies below them); its models, admin, API, pages, tasks and helpers are its own. Imports
within an app, and imports of the core (`trustplatform`), are not this contract's business. Known
exceptions are listed as `ignore_imports`, each one a debt to pay back, and an exception that no
longer occurs fails the check, so the list only shrinks.

Loaded by `lint-imports` through `contract_types` in pyproject.toml; `make lint` puts scripts/ on
the path.
"""

from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils
from importlinter.application.contract_utils import AlertLevel


class FacesContract(Contract):
    type_name = "faces"

    apps = fields.ListField(subfield=fields.StringField())
    faces = fields.ListField(subfield=fields.StringField())
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)

    def check(self, graph, verbose: bool) -> ContractCheck:
        contract_utils.remove_ignored_imports(
            graph=graph, ignore_imports=self.ignore_imports, unmatched_alerting=AlertLevel.ERROR)
        apps, faces = set(self.apps), set(self.faces)
        violations = []
        for importer in sorted(graph.modules):
            importer_app = importer.split(".")[0]
            if importer_app not in apps:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                app, _dot, rest = imported.partition(".")
                if app in apps and app != importer_app and rest.split(".")[0] not in faces:
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = ", ".join(f"l.{detail['line_number']}" for detail in details)
                    violations.append((importer, imported, lines))
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, lines in check.metadata["violations"]:
            output.print_error(f"{importer} -> {imported} ({lines})")
            output.new_line()
        output.print(f"Import another app only through its {' or '.join(self.faces)} module.")
