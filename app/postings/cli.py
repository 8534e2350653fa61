from flask.cli import AppGroup

catalog_cli = AppGroup("catalog", help="成果与需求的导入导出")
