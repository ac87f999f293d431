//! The page: mounts the Leptos app (which registers the offline service worker once the catalog is in).

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(audience_app::ui::App);
}
