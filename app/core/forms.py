"""Base class for every Flask-WTF form: WTForms' built-in messages in Chinese.

Flask-WTF only translates through Flask-Babel, which we do not ship; WTForms carries its own
Chinese catalogue, so use that ("不是有效的选择。" instead of "Not a valid choice.").
"""

from flask_wtf import FlaskForm
from wtforms.meta import DefaultMeta


class BaseForm(FlaskForm):
    class Meta:
        locales = ["zh"]

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)
