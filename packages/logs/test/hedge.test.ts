import { describe, expect, it } from "vitest";
import { COURTESY_REFERRAL_PATTERNS, HEDGE_PATTERNS, detectHedge } from "../src/hedge";

describe("hedge pattern lists", () => {
  it("have unique ids", () => {
    const ids = HEDGE_PATTERNS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(HEDGE_PATTERNS.map((p) => [p.id, p] as const))("%s matches its own example", (_id, p) => {
    expect(p.pattern.test(p.example)).toBe(true);
    // ...and the prefilter lets the example through, so the detector sees it too.
    const r = detectHedge(p.example);
    expect(r.hedged).toBe(true);
  });

  it("courtesy patterns are case-insensitive regexes", () => {
    for (const re of COURTESY_REFERRAL_PATTERNS) expect(re.flags).toContain("i");
  });
});

describe("detectHedge: hedges", () => {
  it.each([
    // Phrasings named in the brief and seen in the real sample.
    "The specific benefits of partnering with Everest Group are not detailed in the provided information.",
    "Please refer to the deal documents.",
    "I don't have information about the management fee.",
    "The minimum investment is not specified.",
    "The documents do not mention a lock-up period.",
    "I'm unable to find the exit date in the documents.",
    "Please contact the fund manager for details.",
    "You can contact support for more information on this.",
    // Phrasings not in the sample.
    "That information isn't available in the deal documents.",
    "There's no mention of a performance fee in the materials.",
    "Unfortunately, the materials don't say what the exit strategy is.",
    "The deal materials don't include a breakdown of fees.",
    "No details on the exit timeline were provided.",
    "I couldn't find the lock-up period.",
    "I’m not sure what the hurdle rate is.",
    "It's not clear from the documents whether dividends are reinvested.",
    "You'd need to ask the fund manager.",
    "I recommend reaching out to Cur8's investor relations team.",
    "The provided context doesn't cover secondary sales.",
    "For this information, please check the FAQ.",
    "I do not have access to the latest valuation.",
    "Information on the sponsor's track record is unavailable.",
    "The fee structure has not been disclosed.",
  ])("%j", (answer) => {
    const r = detectHedge(answer);
    expect(r.hedged).toBe(true);
    expect(r.matched).not.toBeNull();
  });
});

describe("detectHedge: not hedges", () => {
  it.each([
    "The target return for the GBP Income Fund is between 7.25% and 7.5%.",
    "The fund is not available to US investors.",
    "Returns are not guaranteed and your capital is at risk.",
    "Your investment is not covered by the FSCS.",
    "There is no lock-in period after the first year.",
    "The fund does not provide liquidity before year 3.",
    "Early withdrawals are not permitted.",
    "The available documents include a Webinar Recording, an FAQ, and a Zakat Statement.",
    "Bearer shares are not issued by this fund.",
    "",
  ])("%j", (answer) => {
    const r = detectHedge(answer);
    expect(r).toMatchObject({ hedged: false, partial: false, matched: null, family: null });
  });

  it("a courtesy referral after a complete answer is not a hedge, but is reported", () => {
    const r = detectHedge(
      "The liquidity terms require a 3-month notice for withdrawals. For more detailed information, you may want to refer to the deal documents.",
    );
    expect(r.hedged).toBe(false);
    expect(r.courtesyReferral).toBe(true);
  });
});

describe("detectHedge: partial vs full", () => {
  it("is partial when the answer gives content and hedges part of it", () => {
    const r = detectHedge("The target return is 12%. However, the fees are not specified in the provided information.");
    expect(r).toMatchObject({ hedged: true, partial: true, family: "unavailable" });
  });

  it("is partial for 'content, but the specifics are not provided' in one sentence", () => {
    const r = detectHedge(
      "The GBP Income Fund primarily focuses on property financing, but specific details about the types of properties financed are not provided in the available information.",
    );
    expect(r).toMatchObject({ hedged: true, partial: true });
  });

  it("is not partial when the rest is a referral or generic filler", () => {
    expect(
      detectHedge(
        "The specific risks are not detailed in the provided information. However, private equity investments typically carry market risk. For a comprehensive understanding, it is advisable to review the deal documents.",
      ),
    ).toMatchObject({ hedged: true, partial: false });
    expect(detectHedge("I don't have information on the fees. Please contact the fund manager for details.")).toMatchObject({
      hedged: true,
      partial: false,
    });
  });

  it("a referral-only answer is a full hedge", () => {
    expect(detectHedge("For more details, please refer to the deal documents.")).toMatchObject({
      hedged: true,
      partial: false,
      family: "referral-only",
    });
  });

  it("deferring the specifics of a named topic is a partial hedge", () => {
    const r = detectHedge(
      "Eligible investors can claim tax relief and loss relief via the S/EIS schemes. For specific details on how these tax benefits work, you may want to refer to the SEIS/EIS Tax Guide.",
    );
    expect(r).toMatchObject({ hedged: true, partial: true, family: "deferral" });
  });

  it("reports the first matching phrase", () => {
    expect(detectHedge("Fees are not detailed in the provided information.").matched).toBe("are not detailed");
  });
});

describe("detectHedge: phrasings added with the labeled evaluation (tools/eval)", () => {
  it.each([
    // The information is not in the documents, said in new ways.
    "The term sheet is silent on a management fee.",
    "Nothing in the prospectus covers early redemptions.",
    "The valuation methodology is missing from the documents I have.",
    "The first payment date hasn't been confirmed in the deal materials.",
    "A secondary market is not mentioned anywhere in the IM.",
    "That isn't something the information memorandum goes into.",
    "The fund factsheet I was given quotes no ongoing charge figure.",
    "How the fees interact with the hurdle is something the documents leave open.",
    "The currency hedging policy is outside what the term sheet covers.",
    "Whether dividends are reinvested is unclear from what I have.",
    "The paperwork I have doesn't touch on transfers between investors.",
    "The names of the tenants have not been published.",
    // The bot cannot or will not say.
    "I can't put a figure on that, I'm afraid.",
    "I'm only set up to answer questions about this deal.",
    "I wouldn't want to guess at the exit value.",
    "I've got nothing on the manager's previous funds.",
    "I wasn't given any detail about the developer's track record.",
    // The user is sent elsewhere.
    "It would be worth asking the sponsor directly.",
    "Your best bet is to raise it with the investor relations team.",
    "The fund manager would be the right person to ask.",
    "That's one for the Cur8 support team.",
    "A tax adviser can help you with that.",
  ])("%j", (answer) => {
    const r = detectHedge(answer);
    expect(r.hedged).toBe(true);
    expect(r.matched).not.toBeNull();
  });

  it.each([
    // Substantive answers with tricky words: negations, "unavailable", "no", "nothing", a courtesy pointer.
    "No fees are charged to investors: the platform is paid by borrowers.",
    "Withdrawals are unavailable during the first 12 months; after that you can give 3 months' notice.",
    "There is no lock-up period after the first year.",
    "Nothing is deducted from your payouts.",
    "The fund does not charge a performance fee.",
    "Profits are not paid out: they are reinvested in the fund.",
    "The fund is not ISA eligible; you can invest through a general investment account instead.",
    "The target return is 8-10% a year. For more detail, see the Key Information Document, which also lists the risk warnings.",
    "The term sheet gives a 12-month term with profit paid at maturity.",
  ])("not a hedge: %j", (answer) => {
    expect(detectHedge(answer).hedged).toBe(false);
  });

  it("a new-style hedge after a substantive sentence is partial", () => {
    expect(detectHedge("The fund targets 7-8% a year. The date of the first payment isn't pinned down in the documents.")).toMatchObject({
      hedged: true,
      partial: true,
    });
    expect(detectHedge("Sorry, the risk section is missing from the documents I have. You could ask the fund manager.")).toMatchObject({
      hedged: true,
      partial: false,
    });
  });
});
