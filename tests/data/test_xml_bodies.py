"""An XML body read by its schema's XML Object, as OpenAPI 3's examples of it write one."""

import pytest

from wamock.data import xml_bodies

PET = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "id": {"type": "integer", "xml": {"attribute": True}},
        "name": {"type": "string"},
        "alive": {"type": "boolean"},
        "weight": {"type": "number"},
        "photoUrls": {"type": "array", "xml": {"name": "photoUrl", "wrapped": True}, "items": {"type": "string"}},
        "tags": {
            "type": "array",
            "xml": {"wrapped": True},
            "items": {"type": "object", "xml": {"name": "tag"}, "properties": {"name": {"type": "string"}}},
        },
        "nicknames": {"type": "array", "items": {"type": "string", "xml": {"name": "nickname"}}},
    },
    "xml": {"name": "Pet"},
}


def test_a_body_is_read_by_the_names_attributes_and_wrapping_its_schema_gives():
    raw = (
        b'<Pet id="7"><name>Rex</name><alive>true</alive><weight>4.5</weight>'
        b"<photoUrl><photoUrl>a.png</photoUrl><photoUrl>b.png</photoUrl></photoUrl>"
        b"<tags><tag><name>good</name></tag></tags>"
        b"<nickname>R</nickname><nickname>Rexy</nickname></Pet>"
    )

    assert xml_bodies.read(raw, PET) == {
        "id": 7,
        "name": "Rex",
        "alive": True,
        "weight": 4.5,
        "photoUrls": ["a.png", "b.png"],
        "tags": [{"name": "good"}],
        "nicknames": ["R", "Rexy"],
    }


@pytest.mark.parametrize(
    "raw",
    [
        b"<Pet><photoUrl><photoUrls>a.png</photoUrls></photoUrl></Pet>",
        b"<Pet><photoUrl><photoUrl>a.png</photoUrl></photoUrl></Pet>",
    ],
    ids=["openapi", "schemathesis"],
)
def test_wrapped_items_are_named_by_the_property_as_openapi_says_or_by_the_wrapper_as_schemathesis_writes(raw):
    """OpenAPI: items with no `xml.name` of their own take the property's name, even where
    `xml.name` renames the wrapper; Schemathesis 4.32 names them after the wrapper."""
    assert xml_bodies.read(raw, PET) == {"photoUrls": ["a.png"]}


def test_unwrapped_items_are_named_by_the_property_and_not_by_the_arrays_xml_name():
    schema = {"properties": {"animals": {"type": "array", "xml": {"name": "aliens"}, "items": {"type": "string"}}}}

    assert xml_bodies.read(b"<zoo><animals>a</animals><animals>b</animals></zoo>", schema) == {"animals": ["a", "b"]}


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [(" 5 ", "integer", 5), ("+-1", "integer", "+-1"), ("9" * 5000, "integer", "9" * 5000), (" ab ", "string", " ab "),
     ("1.5e3", "number", 1500.0), (" true ", "boolean", True), ("yes", "boolean", "yes")],
)  # fmt: skip
def test_a_text_reads_as_its_type_or_stays_as_given(text, kind, value):
    """Spaces around a number or a boolean do not count (XML Schema); around a string they do;
    what does not read as its type stays text, for validation to refuse, never an error."""
    schema = {"properties": {"v": {"type": kind}}}

    assert xml_bodies.read(f"<r><v>{text}</v></r>".encode(), schema) == {"v": value}


def test_what_does_not_read_as_its_type_is_kept_as_text_for_validation_to_refuse():
    """An empty `<alive/>` is no boolean (Schemathesis' `<has_dog></has_dog>`, accepted before)."""
    assert xml_bodies.read(b"<Pet><alive></alive><weight>heavy</weight></Pet>", PET) == {
        "alive": "",
        "weight": "heavy",
    }


def test_an_empty_wrapper_is_an_empty_list_and_an_absent_one_no_value():
    assert xml_bodies.read(b"<Pet><photoUrl/></Pet>", PET) == {"photoUrls": []}
    assert xml_bodies.read(b"<Pet/>", PET) == {}


def test_namespaces_and_prefixes_are_not_told_apart():
    raw = b'<p:Pet xmlns:p="urn:pets" p:id="3"><p:name>Rex</p:name></p:Pet>'

    assert xml_bodies.read(raw, PET) == {"id": 3, "name": "Rex"}


@pytest.mark.parametrize(
    "raw",
    [
        b"<Pet><name>Rex</Pet>",
        b"not xml",
        b"",
        # "billion laughs": expat refuses the expansion rather than build it
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            b'<!ENTITY %c "&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;">' % ((c, c - 1) + (c - 1,) * 9)
            for c in range(98, 108)
        )
        + b"]><Pet><name>&k;</name></Pet>",
        b'<?xml version="1.0" encoding="gbk"?><Pet/>',
        b'<?xml version="1.0" encoding="x-bogus"?><Pet/>',
    ],
    ids=["unclosed", "text", "empty", "billion-laughs", "multibyte-encoding", "unknown-encoding"],
)
def test_a_body_that_is_not_well_formed_xml_is_refused(raw):
    with pytest.raises(xml_bodies.NotXML):
        xml_bodies.read(raw, PET)


def test_an_external_entity_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret")
    raw = b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY s SYSTEM "file://%s">]><Pet><name>&s;</name></Pet>' % (
        str(secret).encode()
    )

    with pytest.raises(xml_bodies.NotXML):
        xml_bodies.read(raw, PET)
