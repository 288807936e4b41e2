// The online box works without this file. It hides the identity fields while
// "anonymous" is chosen, wires the print button, makes "quick exit" leave
// without a trace in the back history, keeps the box to one history entry,
// and checks the size of chosen files before anything is uploaded.
document.documentElement.classList.add("js");

function identityToggle() {
  const identity = document.getElementById("identity");
  const signed = document.querySelector("input[name=signed][value=signed]");
  if (!identity || !signed) return;
  identity.hidden = !signed.checked && !identity.querySelector(".has-error");
}

// --- Quick exit -------------------------------------------------------------
// location.replace swaps the current history entry for the neutral page, so
// "back" cannot return here; pages are sent no-store, so no browser cache
// brings a filled form back either.
function storageForget() {
  try {
    sessionStorage.clear();
  } catch (error) {
    // storage may be disabled; leaving matters more
  }
}

let leaving = false;
function quickExit(link) {
  if (leaving) return;
  leaving = true;
  storageForget();
  const target = link ? link.href : document.querySelector("[data-quick-exit]").href;
  if (window.top !== window.self) {
    try {
      window.top.location.replace(target);
      return;
    } catch (error) {
      // a frame that may not navigate the page around it: leave the frame at least
    }
  }
  window.location.replace(target);
}

let lastEscape = 0;
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || !document.querySelector("[data-quick-exit]")) return;
  const now = Date.now();
  if (now - lastEscape < 1500) quickExit(null);
  lastEscape = now;
});

// Moving inside the box replaces the history entry instead of adding one:
// whoever opens "back" later finds what was open before the box, not the box.
function staysInBox(link) {
  if (link.target || link.hasAttribute("download") || link.origin !== window.location.origin) return false;
  return link.pathname.startsWith("/s/") && !link.pathname.endsWith(".pdf");
}

document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const exit = event.target.closest("[data-quick-exit]");
  if (exit && window.top !== window.self) {
    storageForget();
    return; // in the school's page: the link itself (target=_top) takes the whole page away
  }
  if (exit) {
    event.preventDefault();
    quickExit(exit);
    return;
  }
  if (event.target.closest("[data-print]")) {
    window.print();
    return;
  }
  const link = event.target.closest("a[href]");
  if (link && staysInBox(link)) {
    event.preventDefault();
    window.location.replace(link.href);
  }
});

// --- Files too large: said before sending, not after a long upload ------------
function filesCheck(input) {
  const limit = Number(input.dataset.maxBytes);
  const message = document.getElementById(`${input.id}_size`);
  if (!limit || !message) return;
  const kept = [];
  const refused = [];
  for (const file of input.files) (file.size > limit ? refused : kept).push(file);
  if (refused.length === 0) {
    message.hidden = true;
    message.textContent = "";
    return;
  }
  const megabytes = (bytes) => `${(bytes / 1048576).toFixed(1)} ${input.dataset.unit || "MB"}`;
  message.textContent = refused
    .map((file) =>
      input.dataset.tooLarge
        .replace("{name}", file.name)
        .replace("{size}", megabytes(file.size))
        .replace("{limit}", megabytes(limit)),
    )
    .join(" ");
  message.hidden = false;
  try {
    const chosen = new DataTransfer();
    for (const file of kept) chosen.items.add(file);
    input.files = chosen.files;
  } catch (error) {
    input.value = "";
  }
}

document.addEventListener("change", (event) => {
  if (event.target.name === "signed") identityToggle();
  if (event.target.matches("input[type=file][data-max-bytes]")) filesCheck(event.target);
});
document.addEventListener("DOMContentLoaded", identityToggle);
