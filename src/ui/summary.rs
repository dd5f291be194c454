//! A lesson's first sentence, as the library lists it. Shared with `build.rs`,
//! which writes each lesson's summary into the app's lesson index.

/// The first sentence of a lesson text (up to the first ". " or the end of
/// the first paragraph).
pub fn summary(lesson: &str) -> String {
    let paragraph = lesson.trim().split("\n\n").next().unwrap_or_default();
    let sentence = match paragraph.find(". ") {
        Some(end) => paragraph.get(..=end).unwrap_or(paragraph),
        None => paragraph,
    };
    sentence.split_whitespace().collect::<Vec<_>>().join(" ")
}
