from flask.cli import AppGroup

users_cli = AppGroup("users", help="账号管理")
