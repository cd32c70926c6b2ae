import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createEvaluator, type Evaluator } from "./evaluator.js";
import { DEFAULT_MODEL_ID } from "./manifest.js";

// The default judge (models/poq-judge-minilm) on fixed pairs written for this test, none of them in its
// training data: the order of scores is asserted, never exact numbers. The slashing floor is the chain's
// default quality_floor_bp (2000).
const FLOOR = 2000;
let ev: Evaluator;

before(async () => {
  ev = await createEvaluator({ modelId: DEFAULT_MODEL_ID, threads: 1, maxBatch: 16 });
});
after(async () => {
  await ev.close();
});

const score = (prompt: string, response: string, peers?: string[]) => ev.score(prompt, response, peers);

test("judge: the default model is the cross-encoder judge with a peer head", () => {
  assert.equal(ev.manifest.id, "poq-judge-minilm");
  assert.equal(ev.manifest.kind, "cross-encoder");
  assert.ok(ev.manifest.scoring.output === "sigmoid" && ev.manifest.scoring.peer);
});

test("judge, issue 10 basics: Paris over Berlin, 4 over 5, a bare '4' above the floor, a refusal low", async () => {
  const capital = "What is the capital of France?";
  const paris = await score(capital, "Paris is the capital of France.");
  const berlin = await score(capital, "Berlin is the capital of France.");
  assert.ok(paris > berlin, `Paris ${paris} vs Berlin ${berlin}`);
  assert.ok(paris >= 5000, `Paris ${paris}`);
  const sum = "What is 2+2?";
  const four = await score(sum, "2+2 equals 4.");
  const five = await score(sum, "2+2 equals 5.");
  assert.ok(four > five, `4: ${four} vs 5: ${five}`);
  const bare = await score(sum, "4");
  assert.ok(bare >= FLOOR, `"4" scores ${bare}, under the slashing floor`);
  const refusal = await score(capital, "I'm sorry, but I can't help with that.");
  assert.ok(refusal < FLOOR && refusal < paris / 3, `refusal ${refusal}`);
});

test("judge, each threat kind below the correct answer (single mode)", async () => {
  const prompt = "What is a glacier?";
  const good = await score(
    prompt,
    "A glacier is a large, slowly moving mass of ice formed from compacted snow on land.",
  );
  const cheats = {
    keyword:
      "Glacier glacier is a glacier. The glacier of ice is glacier ice, and glacier relates to glacier.",
    generic:
      "Glaciers are an important topic that many people find interesting. There are many aspects to consider, and opinions vary.",
    neighbour:
      "An iceberg is a large piece of freshwater ice that has broken off a glacier and floats in open water.",
    shallow: "Hmm, it depends. It's something to do with cold places, I think, but it's hard to say.",
    contradiction: "A glacier is not a mass of ice; it never forms from snow and it does not move.",
  };
  for (const [kind, text] of Object.entries(cheats)) {
    const s = await score(prompt, text);
    assert.ok(s < good, `${kind}: ${s} vs correct ${good}`);
  }
});

test("judge, wrong and contradicting answers below the correct one in peer mode (two honest peers)", async () => {
  // (A known miss, models/README.md: "A glacier is a large, slowly moving mass of ice formed from
  // compacted snow on land." scores about 6300 alone, below some wrong definitions.)
  const prompt = "What is the capital of Japan?";
  const peers = ["Tokyo.", "The capital of Japan is Tokyo, its largest city."];
  const good = await score(prompt, "Tokyo is the capital of Japan.", peers);
  const wrong = await score(prompt, "Kyoto is the capital of Japan.", peers);
  const contra = await score(prompt, "Tokyo is not the capital of Japan.", peers);
  assert.ok(wrong < good && contra < good, `good ${good}, wrong ${wrong}, contradiction ${contra}`);
});

test("judge, graded pay: a shallow or generic answer earns visibly less than a full correct one", async () => {
  const prompt = "What does the ls command do?";
  const full = await score(
    prompt,
    "ls lists the files and directories in a directory, the current one by default.",
  );
  const shallow = await score(prompt, "It does something with files, probably. It depends on the options.");
  const generic = await score(
    prompt,
    "The ls command is an important tool that many people use in various situations.",
  );
  assert.ok(
    full - shallow >= 2000 && full - generic >= 2000,
    `full ${full}, shallow ${shallow}, generic ${generic}`,
  );
});

test("judge, peer mode: a contradicting minority scores lowest; three correct answers of different lengths all score high", async () => {
  const prompt = "What is the boiling point of water at sea level?";
  const answers = [
    "Water boils at 100 degrees Celsius (212 °F) at sea level, where the air pressure is one atmosphere.",
    "100 °C.",
    "At normal atmospheric pressure, pure water boils at 100 degrees Celsius.",
  ];
  const contra = "Water does not boil at 100 degrees Celsius at sea level; it boils at 70 degrees.";
  const all = [...answers, contra];
  const scores = await Promise.all(
    all.map((a, i) =>
      score(
        prompt,
        a,
        all.filter((_, j) => j !== i),
      ),
    ),
  );
  const minority = scores[3] as number;
  for (let i = 0; i < 3; i++) {
    assert.ok(minority < (scores[i] as number), `minority ${minority} vs ${scores[i]}`);
    assert.ok(
      (scores[i] as number) >= 5000,
      `a correct answer next to a contradicting one: ${scores.join(", ")}`,
    );
  }
  assert.ok(minority < FLOOR, `contradicting minority ${minority}`);
  // Three good answers, each with the other two as peers: all high, whatever their length (the old scale
  // rule gave about 7000, 3300 and 4100 here: models/README.md).
  const good = await Promise.all(
    answers.map((a, i) =>
      score(
        prompt,
        a,
        answers.filter((_, j) => j !== i),
      ),
    ),
  );
  for (const s of good)
    assert.ok(s >= 7500 && s > 10 * minority, `good answers with good peers: ${good.join(", ")}`);
  // (A known miss of the agreement head, models/README.md: "Water boils at 50 degrees Celsius" next to
  // two "100 degrees" answers gets agreement about 0.7, so peers lift it as they lift a correct answer.)
});
