// Proof of work, asked only while a school's box is flooded (see accounts/throttle.py).
// The server sends a challenge; before the form goes, the browser finds a number n
// such that SHA-256("<challenge>:<n>") starts with the asked number of zero bits.
(() => {
  "use strict";
  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  const W = new Uint32Array(64);
  const ror = (x, n) => (x >>> n) | (x << (32 - n));

  // SHA-256 of an ASCII string; returns the first 32-bit word (enough for up to 32 zero bits).
  function sha256First(text) {
    const length = text.length;
    const blocks = (length + 9 + 63) >> 6;
    const words = new Uint32Array(blocks * 16);
    for (let i = 0; i < length; i++) words[i >> 2] |= text.charCodeAt(i) << (24 - (i & 3) * 8);
    words[length >> 2] |= 0x80 << (24 - (length & 3) * 8);
    words[blocks * 16 - 1] = length * 8;
    let h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a;
    let h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
    for (let block = 0; block < blocks; block++) {
      for (let t = 0; t < 16; t++) W[t] = words[block * 16 + t];
      for (let t = 16; t < 64; t++) {
        const s0 = ror(W[t - 15], 7) ^ ror(W[t - 15], 18) ^ (W[t - 15] >>> 3);
        const s1 = ror(W[t - 2], 17) ^ ror(W[t - 2], 19) ^ (W[t - 2] >>> 10);
        W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
      }
      let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
      for (let t = 0; t < 64; t++) {
        const t1 = (h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + W[t]) | 0;
        const t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
    }
    return h0 >>> 0;
  }

  function solve(challenge, bits) {
    for (let n = 0; ; n++) {
      if (sha256First(`${challenge}:${n}`) >>> (32 - bits) === 0) return n;
    }
  }

  function bitsOf(challenge) {
    const payload = challenge.split(":")[0].replace(/-/g, "+").replace(/_/g, "/");
    return Math.min(30, Number(JSON.parse(atob(payload)).b) || 16);
  }

  window.ishenimProof = { solve, sha256First };

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const challenge = form.querySelector("input[name=proof_challenge]");
    const answer = form.querySelector("input[name=proof_answer]");
    if (!challenge || !challenge.value || !answer || answer.value) return;
    if (event.submitter && event.submitter.name) return; // the language switch needs no proof
    event.preventDefault();
    const status = form.querySelector("[data-proof-status]");
    if (status) status.textContent = status.dataset.proofStatus;
    setTimeout(() => {
      answer.value = String(solve(challenge.value, bitsOf(challenge.value)));
      if (form.requestSubmit) form.requestSubmit(event.submitter || undefined);
      else form.submit();
    }, 20);
  });
})();
