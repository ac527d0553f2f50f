import { expect } from "chai";
import {
  InvalidDatasetError,
  concatDatasets,
  createTensorDataset,
  featuresAsFloat32,
  generateBlobsDataset,
  generateBlobsSplits,
  sliceDataset,
  splitIntoShards,
  type TensorDataset,
} from "../../src/index.ts";

describe("TensorDataset", () => {
  it("checks arrays against the shape and names the bad field", () => {
    const cases: [() => unknown, string][] = [
      [() => createTensorDataset({ featureShape: [2], features: new Uint8Array(5), labels: new Uint8Array(2), classCount: 2 }), "features"],
      [
        () => createTensorDataset({ featureShape: [2], features: new Uint8Array(4), labels: Uint8Array.of(0, 2), classCount: 2 }),
        "labels[1]",
      ],
      [
        () => createTensorDataset({ featureShape: [0], features: new Uint8Array(0), labels: new Uint8Array(0), classCount: 2 }),
        "featureShape",
      ],
      [
        () => createTensorDataset({ featureShape: [1], features: Float32Array.of(Number.NaN), labels: new Uint8Array(1), classCount: 2 }),
        "features[0]",
      ],
      [
        () => createTensorDataset({ featureShape: [1], features: new Uint8Array(1), labels: new Uint8Array(1), classCount: 0 }),
        "classCount",
      ],
    ];
    for (const [call, field] of cases) {
      expect(call).to.throw(InvalidDatasetError).with.property("field", field);
    }
  });

  it("splits into shards of N samples (the last may be smaller) and concatenates them back", () => {
    const data = generateBlobsDataset({ seed: 4, samples: 250 });
    const shards = splitIntoShards(data, 100);
    expect(shards.map((shard) => shard.count)).to.deep.equal([100, 100, 50]);
    expect(shards[1]!.labels).to.deep.equal(data.labels.subarray(100, 200));
    const joined = concatDatasets(shards);
    expect(joined.features).to.deep.equal(data.features);
    expect(joined.labels).to.deep.equal(data.labels);
    expect(() => splitIntoShards(data, 0)).to.throw(InvalidDatasetError);
    expect(() => sliceDataset(data, 10, 300)).to.throw(InvalidDatasetError);
    const other = generateBlobsDataset({ seed: 4, samples: 10, classCount: 3 });
    expect(() => concatDatasets([data, other]))
      .to.throw(InvalidDatasetError)
      .with.property("field", "datasets[1]");
  });

  it("scales uint8 features to [0, 1] for models", () => {
    const data = createTensorDataset({ featureShape: [3], features: Uint8Array.of(0, 51, 255), labels: Uint8Array.of(1), classCount: 2 });
    expect([...featuresAsFloat32(data)]).to.deep.equal([0, Math.fround(0.2), 1]);
  });
});

describe("generateBlobsDataset", () => {
  it("is reproducible and balanced", () => {
    const a = generateBlobsDataset({ seed: 9, samples: 400, classCount: 4, features: 8 });
    const b = generateBlobsDataset({ seed: 9, samples: 400, classCount: 4, features: 8 });
    const c = generateBlobsDataset({ seed: 10, samples: 400, classCount: 4, features: 8 });
    expect(a).to.deep.equal(b);
    expect(a.features).to.not.deep.equal(c.features);
    expect(a.featureShape).to.deep.equal([8]);
    const counts = [0, 0, 0, 0];
    for (const label of a.labels) counts[label]!++;
    expect(counts).to.deep.equal([100, 100, 100, 100]);
  });

  it("is learnable: samples sit nearer their own class centre", () => {
    const data = generateBlobsDataset({ seed: 5, samples: 2000 });
    expect(nearestCentreAccuracy(data, data)).to.be.within(0.75, 0.99);
  });
});

describe("generateBlobsSplits", () => {
  it("gives train and test splits of the same task: centres learned on train classify test", () => {
    const { train, test } = generateBlobsSplits({ seed: 7, trainSamples: 2000, testSamples: 500 });
    expect([train.count, test.count]).to.deep.equal([2000, 500]);
    expect(nearestCentreAccuracy(train, test)).to.be.within(0.75, 0.99);
    expect(generateBlobsSplits({ seed: 7, trainSamples: 100 }).test.count).to.equal(20);
    expect(() => generateBlobsSplits({ seed: 7, trainSamples: 100, testSamples: 0 }))
      .to.throw(InvalidDatasetError)
      .with.property("field", "testSamples");
  });
});

/** Accuracy on `data` of the nearest-centre classifier whose class centres are the means of `fitted`. */
function nearestCentreAccuracy(fitted: TensorDataset, data: TensorDataset): number {
  const width = fitted.featureShape[0]!;
  const centres = Array.from({ length: fitted.classCount }, () => new Float64Array(width));
  const counts = new Array<number>(fitted.classCount).fill(0);
  for (let i = 0; i < fitted.count; i++) {
    counts[fitted.labels[i]!]!++;
    for (let j = 0; j < width; j++) centres[fitted.labels[i]!]![j]! += fitted.features[i * width + j]!;
  }
  for (const [c, centre] of centres.entries()) for (const [j, v] of centre.entries()) centre[j] = v / counts[c]!;
  let correct = 0;
  for (let i = 0; i < data.count; i++) {
    let best = 0;
    let bestDistance = Infinity;
    centres.forEach((centre, c) => {
      let d = 0;
      for (let j = 0; j < width; j++) d += (data.features[i * width + j]! - centre[j]!) ** 2;
      if (d < bestDistance) [best, bestDistance] = [c, d];
    });
    if (best === data.labels[i]) correct++;
  }
  return correct / data.count;
}
