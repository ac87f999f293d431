//! Test helpers: parse a chart as XML (which also proves it is well-formed) and read its geometry.

use roxmltree::{Document, Node};

/// Parses an SVG document; panics with the parser's message when it is not well-formed XML.
pub(crate) fn parse(svg: &str) -> Document<'_> {
    Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"))
}

/// Elements whose `class` attribute is exactly `class`, in document order.
pub(crate) fn by_class<'a, 'input>(
    doc: &'a Document<'input>,
    class: &str,
) -> Vec<Node<'a, 'input>> {
    doc.descendants()
        .filter(|n| n.attribute("class") == Some(class))
        .collect()
}

/// A numeric attribute.
pub(crate) fn attr(node: &Node<'_, '_>, name: &str) -> f64 {
    node.attribute(name)
        .unwrap_or_else(|| panic!("no {name} on {node:?}"))
        .parse()
        .unwrap_or_else(|e| panic!("{name} of {node:?}: {e}"))
}

/// The plot area's (x, y, width, height).
pub(crate) fn plot_area(doc: &Document<'_>) -> (f64, f64, f64, f64) {
    let area = &by_class(doc, "plot-area")[0];
    (
        attr(area, "x"),
        attr(area, "y"),
        attr(area, "width"),
        attr(area, "height"),
    )
}

/// The text of the document's `<desc>`.
pub(crate) fn desc(doc: &Document<'_>) -> String {
    doc.descendants()
        .find(|n| n.has_tag_name("desc"))
        .and_then(|n| n.text())
        .unwrap_or_default()
        .to_owned()
}

/// Asserts the properties every chart must have: well-formed, `role="img"`, `aria-labelledby` naming a
/// `<title>` and a `<desc>` that exist, a `viewBox` matching the width and height, and no `style`
/// attribute or element anywhere (the page's CSP forbids inline styles).
pub(crate) fn assert_accessible(svg: &str) {
    let doc = parse(svg);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("role"), Some("img"));
    let ids: Vec<&str> = root
        .attribute("aria-labelledby")
        .unwrap()
        .split(' ')
        .collect();
    assert_eq!(ids.len(), 2);
    let title = doc
        .descendants()
        .find(|n| n.attribute("id") == Some(ids[0]))
        .unwrap();
    let desc = doc
        .descendants()
        .find(|n| n.attribute("id") == Some(ids[1]))
        .unwrap();
    assert!(title.has_tag_name("title") && !title.text().unwrap_or("").is_empty());
    assert!(desc.has_tag_name("desc") && !desc.text().unwrap_or("").is_empty());
    let view_box = format!(
        "0 0 {} {}",
        root.attribute("width").unwrap(),
        root.attribute("height").unwrap()
    );
    assert_eq!(root.attribute("viewBox"), Some(view_box.as_str()));
    for node in doc.descendants() {
        assert!(
            node.attribute("style").is_none(),
            "style attribute on {node:?}"
        );
        assert!(
            !node.has_tag_name("style") && !node.has_tag_name("script"),
            "{node:?}"
        );
    }
}

/// The text shown by an element: its direct text children (a tooltip `<title>` child is not shown).
pub(crate) fn shown(node: &Node<'_, '_>) -> String {
    node.children()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}
