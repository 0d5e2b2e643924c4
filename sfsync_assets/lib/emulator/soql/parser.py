"""Tokens → `Query`, refusing bad syntax with Salesforce's `unexpected token` messages.

Hand-written recursive descent: no maintained Python SOQL parser produces a tree we can compile to SQL while
reporting Salesforce's own error texts and row/column positions, and SOQL's grammar is small. Names are not
checked here; that needs the org schema and happens in the compiler.
"""

from __future__ import annotations

from .ast import (
    AggregateCall,
    AggregateItem,
    ChildSubqueryItem,
    Comparison,
    Condition,
    FieldItem,
    FieldPath,
    FieldsItem,
    Includes,
    InList,
    Junction,
    Like,
    Literal,
    LiteralKind,
    Not,
    OrderItem,
    Query,
    SelectItem,
    SemiJoin,
    SubSelect,
)
from .date_literals import literal_arity
from .lexer import Token, TokenKind, tokenize
from .query_errors import malformed_at, unexpected_token

_AGGREGATE_FUNCTIONS = frozenset({"COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX"})
_FIELDS_SCOPES = frozenset({"ALL", "STANDARD", "CUSTOM"})
# Words that end or structure a clause and so can never be a field or object name.
_RESERVED = frozenset(
    {
        "SELECT",
        "FROM",
        "WHERE",
        "AND",
        "OR",
        "NOT",
        "IN",
        "LIKE",
        "INCLUDES",
        "EXCLUDES",
        "GROUP",
        "HAVING",
        "ORDER",
        "LIMIT",
        "OFFSET",
        "NULL",
        "TRUE",
        "FALSE",
        "WITH",
        "USING",
        "FOR",
        "TYPEOF",
    }
)
_COMPARISONS = {"=": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def parse(source: str) -> Query:
    return _Parser(source).query()


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.position = 0
        self.in_subselect = False

    # -- token cursor ----------------------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.position + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.position += 1
        return token

    def unexpected(self, token: Token | None = None):
        token = token or self.peek()
        return unexpected_token(self.source, token.offset, token.text)

    def accept_word(self, word: str) -> bool:
        if self.peek().is_word(word):
            self.position += 1
            return True
        return False

    def expect_word(self, word: str) -> Token:
        if not self.peek().is_word(word):
            raise self.unexpected()
        return self.advance()

    def expect_punct(self, punct: str) -> Token:
        if not self.peek().is_punct(punct):
            raise self.unexpected()
        return self.advance()

    def name(self) -> Token:
        token = self.peek()
        if token.kind is not TokenKind.NAME or token.text.upper() in _RESERVED:
            raise self.unexpected()
        return self.advance()

    def field_path(self) -> FieldPath:
        token = self.name()
        return FieldPath(tuple(token.text.split(".")), token.offset)

    def object_name(self) -> Token:
        token = self.name()
        if "." in token.text:
            raise self.unexpected(token)
        return token

    def non_negative_integer(self) -> int:
        token = self.peek()
        if token.kind is not TokenKind.NUMBER or not isinstance(token.value, int) or token.value < 0:
            raise self.unexpected()
        self.advance()
        return token.value

    # -- statement -------------------------------------------------------------------------------------------

    def query(self) -> Query:
        self.expect_word("SELECT")
        items = [self.select_item()]
        while self.peek().is_punct(","):
            self.advance()
            items.append(self.select_item())
        self.expect_word("FROM")
        sobject = self.object_name()
        where = self.condition() if self.accept_word("WHERE") else None
        group_by: list[FieldPath] = []
        if self.accept_word("GROUP"):
            self.expect_word("BY")
            group_by = self.comma_separated(self.field_path)
        order_by: list[OrderItem] = []
        if self.accept_word("ORDER"):
            self.expect_word("BY")
            order_by = self.comma_separated(self.order_item)
        limit = self.non_negative_integer() if self.accept_word("LIMIT") else None
        offset = self.non_negative_integer() if self.accept_word("OFFSET") else None
        if self.peek().kind is not TokenKind.END:
            raise self.unexpected()
        return Query(
            tuple(items), sobject.text, sobject.offset, where, tuple(group_by), tuple(order_by), limit, offset
        )

    def comma_separated(self, parse_one):
        parsed = [parse_one()]
        while self.peek().is_punct(","):
            self.advance()
            parsed.append(parse_one())
        return parsed

    def select_item(self) -> SelectItem:
        token = self.peek()
        if token.is_punct("("):
            return self.child_subquery()
        if token.kind is TokenKind.NAME and self.peek(1).is_punct("("):
            if token.text.upper() == "FIELDS":
                return self.fields_item()
            call = self.aggregate_call()
            alias_token = self.peek()
            alias = None
            if alias_token.kind is TokenKind.NAME and alias_token.text.upper() not in _RESERVED:
                alias = self.advance().text
            return AggregateItem(call, alias)
        return FieldItem(self.field_path())

    def child_subquery(self) -> ChildSubqueryItem:
        """Skip a parenthesised `(SELECT ...)`; the compiler refuses it with its own message."""
        opening = self.expect_punct("(")
        if not self.peek().is_word("SELECT"):
            raise self.unexpected()
        depth = 1
        while depth:
            token = self.advance()
            if token.kind is TokenKind.END:
                raise self.unexpected(token)
            depth += token.is_punct("(") - token.is_punct(")")
        return ChildSubqueryItem(opening.offset)

    def fields_item(self) -> FieldsItem:
        keyword = self.advance()
        self.expect_punct("(")
        scope = self.peek()
        if scope.kind is not TokenKind.NAME or scope.text.upper() not in _FIELDS_SCOPES:
            raise self.unexpected()
        self.advance()
        self.expect_punct(")")
        return FieldsItem(scope.text.upper(), keyword.offset)

    def aggregate_call(self) -> AggregateCall:
        function = self.advance()
        if function.text.upper() not in _AGGREGATE_FUNCTIONS:
            raise self.unexpected(function)
        self.expect_punct("(")
        path = None
        if not (function.text.upper() == "COUNT" and self.peek().is_punct(")")):
            path = self.field_path()
        self.expect_punct(")")
        return AggregateCall(function.text.upper(), path, function.offset)

    def order_item(self) -> OrderItem:
        if self.peek().kind is TokenKind.NAME and self.peek(1).is_punct("("):
            target: FieldPath | AggregateCall = self.aggregate_call()
        else:
            target = self.field_path()
        descending = False
        if self.accept_word("DESC"):
            descending = True
        else:
            self.accept_word("ASC")
        nulls_first = None
        if self.accept_word("NULLS"):
            if self.accept_word("FIRST"):
                nulls_first = True
            else:
                self.expect_word("LAST")
                nulls_first = False
        return OrderItem(target, descending, nulls_first)

    # -- WHERE -----------------------------------------------------------------------------------------------

    def condition(self) -> Condition:
        operands = [self.condition_factor()]
        operator = None
        while self.peek().is_word("AND") or self.peek().is_word("OR"):
            word = self.peek().text.upper()
            if operator not in (None, word):
                raise self.unexpected()
            operator = word
            self.advance()
            operands.append(self.condition_factor())
        if operator is None:
            return operands[0]
        return Junction(operator, tuple(operands))

    def condition_factor(self) -> Condition:
        if self.accept_word("NOT"):
            return Not(self.condition_factor())
        if self.peek().is_punct("("):
            self.advance()
            inner = self.condition()
            self.expect_punct(")")
            return inner
        return self.predicate()

    def predicate(self) -> Condition:
        path = self.field_path()
        token = self.peek()
        if token.kind is TokenKind.PUNCT and token.text in _COMPARISONS:
            self.advance()
            return Comparison(path, _COMPARISONS[token.text], self.literal())
        if self.accept_word("LIKE"):
            pattern = self.peek()
            if pattern.kind is not TokenKind.STRING:
                raise self.unexpected()
            return Like(path, self.literal())
        if token.is_word("INCLUDES") or token.is_word("EXCLUDES"):
            self.advance()
            return Includes(path, self.literal_list(), excludes=token.is_word("EXCLUDES"))
        negated = self.accept_word("NOT")
        self.expect_word("IN")
        if self.peek().is_punct("(") and self.peek(1).is_word("SELECT"):
            return SemiJoin(path, self.subselect(), negated)
        return InList(path, self.literal_list(), negated)

    def literal_list(self) -> tuple[Literal, ...]:
        self.expect_punct("(")
        literals = self.comma_separated(self.literal)
        self.expect_punct(")")
        return tuple(literals)

    def subselect(self) -> SubSelect:
        self.expect_punct("(")
        select = self.expect_word("SELECT")
        if self.in_subselect:
            raise malformed_at(
                self.source, select.offset, "Nesting of semi join sub-selects is not supported"
            )
        self.in_subselect = True
        path = self.field_path()
        self.expect_word("FROM")
        sobject = self.object_name()
        where = self.condition() if self.accept_word("WHERE") else None
        self.expect_punct(")")
        self.in_subselect = False
        return SubSelect(path, sobject.text, sobject.offset, where)

    def literal(self) -> Literal:
        token = self.advance()
        kind = token.kind
        if kind is TokenKind.STRING:
            return Literal(LiteralKind.STRING, token.value, token.offset, token.like_pattern)
        if kind is TokenKind.NUMBER:
            return Literal(LiteralKind.NUMBER, token.value, token.offset)
        if kind is TokenKind.DATE:
            return Literal(LiteralKind.DATE, token.value, token.offset)
        if kind is TokenKind.DATETIME:
            return Literal(LiteralKind.DATETIME, token.value, token.offset)
        if kind is TokenKind.NAME:
            word = token.text.upper()
            if word in ("TRUE", "FALSE"):
                return Literal(LiteralKind.BOOLEAN, word == "TRUE", token.offset)
            if word == "NULL":
                return Literal(LiteralKind.NULL, None, token.offset)
            arity = literal_arity(word)
            if arity == 0:
                return Literal(LiteralKind.DATE_RANGE, (word, None), token.offset)
            if arity == 1:
                self.expect_punct(":")
                return Literal(LiteralKind.DATE_RANGE, (word, self.non_negative_integer()), token.offset)
        raise self.unexpected(token)
