"""A plain Flask "hello" app: the ceiling of the stack (bench/hello_ceiling.py)."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello():
    return {"hello": "world"}
