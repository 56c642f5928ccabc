from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import InputRequired


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[InputRequired(_l("Fill in this field."))],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Fill in this field."))],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
