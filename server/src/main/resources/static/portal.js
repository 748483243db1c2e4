// Cortensor Portal: small progressive enhancements. Every page works without this script except the playground
// and the chart.
(() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

  // Copy buttons: data-copy="#id" copies that element's value or text. Where the Clipboard API is missing (a portal
  // reached over plain HTTP on another host) or refused, the text is selected instead, ready for Ctrl+C.
  const selectText = (el) => {
    if (el.select) { el.select(); return; }
    const range = document.createRange();
    range.selectNodeContents(el);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
  };
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const el = document.getElementById(button.dataset.copy.slice(1));
      const text = el.value !== undefined ? el.value : el.textContent;
      const label = button.textContent;
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = "Copied";
      } catch {
        selectText(el);
        button.textContent = document.execCommand("copy") ? "Copied" : "Press Ctrl+C";
      }
      setTimeout(() => (button.textContent = label), 1500);
    });
  });
  // A click on a copyable value selects all of it.
  document.querySelectorAll(".copyable").forEach((el) => el.addEventListener("click", () => selectText(el)));

  // Phones show each table row as a card (portal.css): label every cell with its column's header.
  document.querySelectorAll("table.grid").forEach((table) => {
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    table.querySelectorAll("tbody tr").forEach((tr) => [...tr.children].forEach((cell, i) => {
      if (heads[i] && !cell.hasAttribute("data-label")) cell.dataset.label = heads[i];
    }));
  });

  // The account switcher submits on change.
  document.querySelectorAll("select[data-autosubmit]").forEach((s) => s.addEventListener("change", () => s.form.submit()));

  // Usage chart.
  const data = document.getElementById("usage-data");
  const canvas = document.getElementById("usage-chart");
  if (data && canvas) {
    const draw = () => {
      if (!window.Chart) { return setTimeout(draw, 50); }
      const d = JSON.parse(data.textContent);
      const style = getComputedStyle(document.body);
      window.Chart.defaults.color = style.color; // readable ticks and legend in light and dark mode
      window.Chart.defaults.borderColor = style.getPropertyValue("--line").trim();
      new window.Chart(canvas, {
        data: {
          labels: d.labels,
          datasets: [
            { type: "bar", label: "Requests", data: d.requests, yAxisID: "requests", backgroundColor: "#1f5fd6" },
            { type: "line", label: "Tokens", data: d.tokens, yAxisID: "tokens", borderColor: "#d08c00", backgroundColor: "#d08c00" },
          ],
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          scales: {
            requests: { position: "left", beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Requests" } },
            tokens: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "Tokens" } },
          },
        },
      });
    };
    draw();
  }

  // Playground: streams a chat completion through /portal/api/playground/chat.
  const form = document.getElementById("playground");
  if (form) {
    const out = document.getElementById("pg-output");
    const thought = document.getElementById("pg-reasoning");
    const thoughtBox = document.getElementById("pg-reasoning-box");
    const meta = document.getElementById("pg-meta");
    const send = document.getElementById("pg-send");
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      out.textContent = "";
      thought.textContent = "";
      thoughtBox.hidden = true;
      meta.textContent = "Waiting for the first token…";
      send.disabled = true;
      try {
        const res = await fetch(form.dataset.endpoint, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
          body: JSON.stringify({
            model: form.model.value,
            stream: true,
            stream_options: { include_usage: true },
            messages: [{ role: "user", content: form.prompt.value }],
          }),
        });
        const requestId = res.headers.get("x-request-id") || "";
        if (!res.ok) {
          const body = await res.json().catch(() => ({}));
          meta.textContent = `Error ${res.status}: ${body.error?.message || res.statusText} (request ${requestId})`;
          return;
        }
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        let usage = null;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const event = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            for (const line of event.split("\n")) {
              if (!line.startsWith("data: ")) continue;
              const payload = line.slice(6);
              if (payload === "[DONE]") continue;
              const chunk = JSON.parse(payload);
              if (chunk.error) { meta.textContent = `Stopped: ${chunk.error.message}`; continue; }
              if (chunk.usage) usage = chunk.usage;
              const delta = chunk.choices?.[0]?.delta;
              if (delta?.reasoning_content) { thoughtBox.hidden = false; thought.textContent += delta.reasoning_content; }
              if (delta?.content) out.textContent += delta.content;
            }
          }
        }
        meta.textContent = `Request ${requestId}` + (usage ? ` · ${usage.prompt_tokens} prompt + ${usage.completion_tokens} completion tokens` : "");
      } catch (err) {
        meta.textContent = "The request failed: " + err.message;
      } finally {
        send.disabled = false;
      }
    });
  }
})();
