// The online box works without this file; it only hides the identity fields
// while "anonymous" is chosen, and wires the print button.
document.documentElement.classList.add("js");

function identityToggle() {
  const identity = document.getElementById("identity");
  const signed = document.querySelector("input[name=signed][value=signed]");
  if (!identity || !signed) return;
  identity.hidden = !signed.checked && !identity.querySelector(".has-error");
}

document.addEventListener("change", (event) => {
  if (event.target.name === "signed") identityToggle();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
document.addEventListener("DOMContentLoaded", identityToggle);
