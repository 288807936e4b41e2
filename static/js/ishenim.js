// Small improvements only; every page works without this file.

// Copy buttons: the clipboard API where the page may use it (HTTPS or localhost), else the
// text is selected and copied the old way; if even that is refused, it stays selected and
// the button says how to copy it by hand.
function selectText(source) {
  const range = document.createRange();
  range.selectNodeContents(source);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

function copyByHand(button, source) {
  selectText(source);
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch (error) {
    copied = false;
  }
  button.textContent = copied ? button.dataset.copied || button.textContent : button.dataset.selectHint || button.textContent;
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  const text = source.textContent.trim();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(
      () => {
        button.textContent = button.dataset.copied || button.textContent;
      },
      () => copyByHand(button, source),
    );
  } else {
    copyByHand(button, source);
  }
});
