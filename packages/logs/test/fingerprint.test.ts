import { describe, expect, it } from "vitest";
import { fingerprint } from "../src/fingerprint";

describe("fingerprint", () => {
  it.each([
    ["What's the target return?", "what’s the  target return"],
    ["What is the target return for the EIS Fund, and what is the investment horizon?", "what is the target return for the EIS fund and what is the investment horizon"],
    ["  Is it   Sharia-compliant?\n", "is it sharia compliant"],
    ["IF-ISA eligible?", "IF ISA eligible"],
    ["S/EIS relief", "S / EIS relief"],
    ["“Zakat” eligible", '"Zakat" eligible'],
    ["7–10 years", "7-10 years"],
    ["Ｗｈａｔ ｉｓ ＥＩＳ？", "what is EIS"],
    ["Returns of 12 %", "returns of 12%"],
    ["R & D", "r&d"],
    ["investors' returns", "investors’ returns"],
  ])("%j and %j are the same question", (a, b) => {
    expect(fingerprint(a)).toBe(fingerprint(b));
  });

  it.each([
    ["7.25%", "725%"],
    ["S/EIS", "SEIS"],
    ["zakāt", "zakat"],
    ["target return", "target returns"],
  ])("%j and %j stay distinct", (a, b) => {
    expect(fingerprint(a)).not.toBe(fingerprint(b));
  });

  it("produces the documented form", () => {
    expect(fingerprint("What's the S/EIS relief — 7.25% or 7.5 %?")).toBe("whats the s/eis relief 7.25% or 7.5%");
  });

  it("keeps letters and digits of any script", () => {
    expect(fingerprint("ما هو العائد المتوقع؟")).toBe("ما هو العائد المتوقع");
    expect(fingerprint("निवेश की अवधि क्या है?")).toBe("निवेश की अवधि क्या है");
    expect(fingerprint("投资期限是多久？")).toBe("投资期限是多久");
  });

  it("is idempotent and maps punctuation-only text to the empty string", () => {
    const once = fingerprint("What's the (target) return?!");
    expect(fingerprint(once)).toBe(once);
    expect(fingerprint("?!…")).toBe("");
  });
});
