/**
 * Custom errors of the Mycelium contracts, decoded into typed errors.
 *
 * Every custom error any protocol contract can raise (its own, and the OpenZeppelin errors it bubbles up) becomes a
 * `ContractRevertedError` whose `errorName` and `args` (an object keyed by the Solidity parameter names, typed from the
 * generated ABIs) say exactly what failed, and whose message says what to do. The table of explanations below is typed
 * against the ABIs: a new contract error does not typecheck until it has an explanation.
 *
 * A few errors users catch on their own get subclasses: `AssetNotFoundError`, `NotAssetOwnerError`, `JobNotFoundError`. Token balance and
 * allowance reverts (`ERC20InsufficientBalance`, `ERC20InsufficientAllowance`) become `InsufficientBalanceError` and
 * `InsufficientAllowanceError` (./chain.ts), the same classes the actions throw when they see the shortfall before
 * sending, with the decoded `ContractRevertedError` as `cause`.
 */
import { decodeErrorResult, type AbiParameterToPrimitiveType, type Address, type Hex } from "viem";
import { assetRegistryAbi, datatokenAbi, marketplaceAbi, testPaymentTokenAbi, trainingJobsAbi } from "../abis/index.ts";
import { assetKindName, assetStateName } from "../chain/assetTypes.ts";
import { phaseName, trainerStatusName } from "../protocol/enums.ts";
import { BaseError } from "./base.ts";
import { InsufficientAllowanceError, InsufficientBalanceError } from "./chain.ts";

type ProtocolAbiItem =
  | (typeof assetRegistryAbi)[number]
  | (typeof datatokenAbi)[number]
  | (typeof marketplaceAbi)[number]
  | (typeof testPaymentTokenAbi)[number]
  | (typeof trainingJobsAbi)[number];
type ProtocolErrorItem = Extract<ProtocolAbiItem, { type: "error" }>;

/** Name of any custom error a protocol contract can revert with. */
export type ContractErrorName = ProtocolErrorItem["name"];

/** The decoded arguments of error `name`, keyed by their Solidity names. */
export type ContractErrorArgs<name extends ContractErrorName> = {
  [parameter in Extract<ProtocolErrorItem, { name: name }>["inputs"][number] as parameter["name"]]: AbiParameterToPrimitiveType<parameter>;
};

/** Every custom error of the protocol's ABIs, once each (errors shared by several contracts have one signature). */
export const protocolErrorsAbi: readonly ProtocolErrorItem[] = (() => {
  const bySignature = new Map<string, ProtocolErrorItem>();
  for (const abi of [assetRegistryAbi, datatokenAbi, marketplaceAbi, testPaymentTokenAbi, trainingJobsAbi] as const) {
    for (const item of abi as readonly ProtocolAbiItem[]) {
      if (item.type !== "error") continue;
      bySignature.set(`${item.name}(${item.inputs.map((input) => input.type).join(",")})`, item);
    }
  }
  return [...bySignature.values()];
})();

type Explanation = { message: string; hint: string };
type Explain<name extends ContractErrorName> = (args: ContractErrorArgs<name>) => Explanation;

const bug = "This should not happen through the Mycelium client; please report it with the transaction or call that raised it.";
const amount = (value: bigint) => `${value} unit${value === 1n ? "" : "s"}`;
const time = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString();

/** What each contract error means for the user, and what to do about it. */
const explanations: { [name in ContractErrorName]: Explain<name> } = {
  // AssetRegistry
  AssetNotFound: ({ assetId }) => ({
    message: `Asset ${assetId} does not exist.`,
    hint: "Check the id (listAssets lists them); asset ids start at 1.",
  }),
  NotAssetOwner: ({ assetId, caller, owner }) => ({
    message: `Account ${caller} does not own asset ${assetId} (owner is ${owner}).`,
    hint: "Transfer the asset NFT to this account or use the owner's key.",
  }),
  AssetIsRevoked: ({ assetId }) => ({
    message: `Asset ${assetId} is revoked.`,
    hint: "Revocation is final: its manifest and state can no longer change. Publish a new asset instead.",
  }),
  StateUnchanged: ({ assetId, state }) => ({
    message: `Asset ${assetId} is already ${assetStateName(state)}.`,
    hint: "Nothing to change; pick another state.",
  }),
  DatatokenExists: ({ assetId, datatoken }) => ({
    message: `Asset ${assetId} already has a datatoken (${datatoken}).`,
    hint: "An asset has one datatoken: mint more of it (mintDatatokens) instead of creating another.",
  }),
  ParentNotFound: ({ parentId }) => ({
    message: `Lineage parent asset ${parentId} does not exist.`,
    hint: "Parents must be published assets; check the ids.",
  }),
  DuplicateParent: ({ parentId }) => ({
    message: `Lineage parent asset ${parentId} is named twice.`,
    hint: "Name each parent once.",
  }),
  TooManyParents: ({ count, max }) => ({
    message: `${count} lineage parents were given; at most ${max} are allowed.`,
    hint: `Keep the ${max} most direct parents.`,
  }),
  InvalidMarketplace: ({ marketplace }) => ({
    message: `${marketplace} is not a Marketplace contract.`,
    hint: "Use the Marketplace address of the deployment (the client does this unless you pass another).",
  }),
  EmptyCid: () => ({
    message: "The manifest CID is empty.",
    hint: "Pass the CIDv1 of the manifest (bafy...).",
  }),
  MalformedCid: ({ cid, offset }) => ({
    message: `The CID ${cid} is malformed at byte ${offset}.`,
    hint: "Pass a CIDv1 (a CID object or a bafy... string); the client converts it to the binary form the contract checks.",
  }),
  CloneArgumentsTooLong: () => ({ message: "The datatoken clone's arguments are too long.", hint: bug }),
  Create2EmptyBytecode: () => ({ message: "The datatoken implementation has no code.", hint: bug }),
  FailedDeployment: () => ({ message: "Creating the datatoken clone failed.", hint: bug }),
  InsufficientBalance: ({ balance, needed }) => ({
    message: `The registry holds ${balance} wei but creating the clone needs ${needed}.`,
    hint: bug,
  }),
  // TrainingJobs: jobs
  JobNotFound: ({ jobId }) => ({
    message: `Job ${jobId} does not exist.`,
    hint: "Check the id (getJob reads a job); job ids start at 1.",
  }),
  JobIsCancelled: ({ jobId }) => ({
    message: `Job ${jobId} was cancelled.`,
    hint: "Nothing more happens in a cancelled job; trainers who joined can withdraw their stake.",
  }),
  JobHasEnded: ({ jobId }) => ({
    message: `Job ${jobId} has ended: every round is final.`,
    hint: "Claim rewards, withdraw stakes, refund the remainder or publish the result instead.",
  }),
  JobNotEnded: ({ jobId, currentRound, numRounds }) => ({
    message: `Job ${jobId} has not ended: round ${currentRound} of ${numRounds} is in progress.`,
    hint: "Wait for the last round to be finalized (or leave the job to withdraw after the cooldown).",
  }),
  NotSponsor: ({ caller, sponsor }) => ({
    message: `Account ${caller} is not the job's sponsor (${sponsor}).`,
    hint: "Use the sponsor's key.",
  }),
  UpdatesRevealed: ({ jobId }) => ({
    message: `A trainer has revealed an update in job ${jobId}, so it can no longer be cancelled.`,
    hint: "A job can be cancelled only while no trainer ever revealed on time; let it run to its end instead.",
  }),
  InvalidMinWindow: ({ minWindow, maxWindow }) => ({
    message: `A minimum window of ${minWindow} seconds is not allowed (1 to ${maxWindow}).`,
    hint: "Deploy TrainingJobs with a minimum window a block can always fit in (minutes on a public chain).",
  }),
  InvalidRoundCount: ({ numRounds, maxRounds }) => ({
    message: `A job of ${numRounds} rounds is not allowed (1 to ${maxRounds}).`,
    hint: "Pick a number of rounds of at least 1.",
  }),
  WindowOutOfRange: ({ window, minWindow, maxWindow }) => ({
    message: `A window (or claim period) of ${window} seconds is outside this deployment's range of ${minWindow} to ${maxWindow}.`,
    hint: "Give every window and the claim period at least the deployment's minimum (so a congested chain still takes a reveal), at most 30 days.",
  }),
  InvalidParticipation: ({ participationBps }) => ({
    message: `A participation floor of ${participationBps} basis points is not allowed.`,
    hint: "Use 5000 to 10000 basis points: the share of the revealed weight that must attest for a round to succeed.",
  }),
  InvalidWeightCap: ({ weightCap }) => ({
    message: `A weight cap of ${weightCap} minimum stakes is not allowed.`,
    hint: "Use at least 1: the most quorum weight one trainer brings, in minimum stakes.",
  }),
  StartTimeTooLate: ({ startTime, maxStartTime }) => ({
    message: `The start time ${startTime} is beyond the last representable second (${maxStartTime}).`,
    hint: "Give a start time in unix seconds (not milliseconds).",
  }),
  BaseModelCidMismatch: ({ baseModelId, expected, given }) => ({
    message: `The base model CID ${given} is not the current manifest of asset ${baseModelId} (${expected}).`,
    hint: "Leave the base model CID out: createJob reads the asset's current manifest, so the job's lineage names what it trains.",
  }),
  InvalidQuorum: ({ quorumBps }) => ({
    message: `A quorum of ${quorumBps} basis points is not allowed.`,
    hint: "Use more than 5000 and at most 10000 basis points (6667 is two thirds), so at most one aggregate can win.",
  }),
  InvalidMaxTrainers: ({ maxTrainers, limit }) => ({
    message: `A limit of ${maxTrainers} trainers is not allowed (1 to ${limit}).`,
    hint: `Use between 1 and ${limit} trainers.`,
  }),
  InvalidMaxSamples: ({ maxSamples }) => ({
    message: `A per-round sample cap of ${maxSamples} is not allowed.`,
    hint: "Use at least 1: the samples of the shards one trainer is assigned per round.",
  }),
  InvalidMinStake: ({ minStake, maxStake }) => ({
    message: `A minimum stake of ${amount(minStake)} is not allowed (1 to ${maxStake}).`,
    hint: "Use a minimum stake of at least one unit of the job's token.",
  }),
  InvalidAuditCount: ({ auditsPerRound }) => ({
    message: `${auditsPerRound} audits per round is not allowed (1 to 255).`,
    hint: "Audit at least one update per round: without audits a trainer that does no work is paid like one that does.",
  }),
  StakeBelowAuditBound: ({ minStake, rewardPerRound, auditsPerRound }) => ({
    message:
      `A minimum stake of ${amount(minStake)} with ${auditsPerRound} audit(s) per round does not cover two rounds' ` +
      `rewards of ${amount(rewardPerRound)}: faking the work would pay in expectation.`,
    hint: "Raise the minimum stake to at least 2 x rewardPerRound / auditsPerRound, or audit more updates per round.",
  }),
  StartTimeInPast: ({ startTime, blockTimestamp }) => ({
    message: `The start time ${time(startTime)} is before the chain's time ${time(blockTimestamp)}.`,
    hint: "Start the job now or later (the chain's clock, not the local one, decides).",
  }),
  RewardPoolMismatch: ({ rewardPool, expected }) => ({
    message: `The reward pool of ${amount(rewardPool)} does not equal reward per round times rounds (${amount(expected)}).`,
    hint: "Give a pool of exactly rewardPerRound * numRounds (createJob computes it for you).",
  }),
  RewardPoolTooLarge: ({ rewardPool, limit }) => ({
    message: `The reward pool of ${amount(rewardPool)} exceeds the limit of ${amount(limit)}.`,
    hint: "Use a smaller reward per round or fewer rounds.",
  }),
  InvalidToken: ({ token }) => ({
    message: `${token} cannot be a reward or stake token.`,
    hint: "Name an ERC-20 contract (not the zero address).",
  }),
  WrongAssetKind: ({ assetId, expected, actual }) => ({
    message: `Asset ${assetId} is a ${assetKindName(actual)}, but the job needs a ${assetKindName(expected)} there.`,
    hint: "Train on a dataset asset, starting from a model asset.",
  }),
  TransferAmountMismatch: ({ token, expected, received }) => ({
    message: `Token ${token} delivered ${amount(received)} instead of ${amount(expected)}.`,
    hint: "Fee-on-transfer and rebasing tokens are not supported: use a plain ERC-20.",
  }),
  // TrainingJobs: trainers
  JobFull: ({ jobId, maxTrainers }) => ({
    message: `Job ${jobId} is full: all ${maxTrainers} trainer places are taken.`,
    hint: "Try again later: places come back when trainers withdraw, are slashed or are evicted after idling.",
  }),
  TooLateToJoin: ({ jobId, firstRound, numRounds }) => ({
    message: `A trainer joining job ${jobId} now would play from round ${firstRound}, but the job has ${numRounds} rounds.`,
    hint: "Join a job with rounds left: stake joined mid-round plays from the next round.",
  }),
  AlreadyJoined: ({ jobId, trainer, index }) => ({
    message: `Account ${trainer} already holds trainer index ${index} in job ${jobId}.`,
    hint: "One place per account and job; to change peer info use updatePeerInfo.",
  }),
  StakeTooLow: ({ stake, minimum }) => ({
    message: `A stake of ${amount(stake)} is below the job's minimum of ${amount(minimum)}.`,
    hint: `Stake at least ${amount(minimum)}.`,
  }),
  StakeTooHigh: ({ stake, maximum }) => ({
    message: `A stake of ${amount(stake)} is above the maximum of ${amount(maximum)}.`,
    hint: `Stake at most ${amount(maximum)}.`,
  }),
  EmptyPeerId: () => ({
    message: "The libp2p peer id is empty.",
    hint: "Pass the trainer node's peer id so the other trainers can find it.",
  }),
  NotATrainer: ({ jobId, account }) => ({
    message: `Account ${account} never joined job ${jobId}.`,
    hint: "Join the job first (joinJob).",
  }),
  TrainerNotActive: ({ jobId, trainer, status }) => ({
    message: `Trainer ${trainer} is ${trainerStatusName(status)} in job ${jobId}, not active.`,
    hint: "Only active trainers may commit; a trainer that withdrew, was slashed or was evicted may join again.",
  }),
  StakeLocked: ({ jobId, trainer }) => ({
    message: `The stake of ${trainer} in job ${jobId} is locked while it takes part.`,
    hint: "Leave the job (the stake unlocks an unbond round after your last reveal), or wait for the end and claim period.",
  }),
  StakeBonded: ({ jobId, trainer, unlockRound }) => ({
    message: `The stake of ${trainer} in job ${jobId} is bonded to its last reveal until round ${unlockRound} starts.`,
    hint: "Withdraw once that round has started (or after the job's end plus its claim period).",
  }),
  ClaimPeriodNotOver: ({ jobId, unlocksAt }) => ({
    message: `Job ${jobId} has ended; its claim period runs until ${time(unlocksAt)}.`,
    hint: "Withdraw (or sweep) after the claim period.",
  }),
  NotIdle: ({ jobId, trainer, evictableFromRound }) => ({
    message: `Trainer ${trainer} of job ${jobId} is not idle: it may be evicted from round ${evictableFromRound} on.`,
    hint: "Only a trainer without an on-time reveal for IDLE_ROUNDS rounds (and no pending commitment) can be evicted.",
  }),
  CommitmentPending: ({ jobId, trainer, round }) => ({
    message: `Trainer ${trainer} committed in round ${round} of job ${jobId} and has not revealed.`,
    hint:
      "Reveal it (late reveals are accepted during the attest window, with a small penalty); an unrevealed commitment " +
      "is slashed (anyone may, after the attest window) before the trainer can commit again or withdraw.",
  }),
  // TrainingJobs: rounds
  WrongRound: ({ round, currentRound }) => ({
    message: `Round ${round} is not the current round (${currentRound}).`,
    hint: "Read the job's current round (getRound) and act on it.",
  }),
  OutsideWindow: ({ phase, opensAt, closesAt }) => ({
    message: `This belongs to the ${phaseName(phase)} window of the round, open from ${time(opensAt)} to ${time(closesAt)}.`,
    hint: "Act while that window is open (getPhase tells where the round stands).",
  }),
  AlreadyCommitted: ({ round }) => ({
    message: `You already committed in round ${round}.`,
    hint: "One commitment per trainer and round: reveal it in the reveal window.",
  }),
  NotCommitted: ({ round }) => ({
    message: `Nothing to reveal in round ${round}: no commitment, or it was already revealed.`,
    hint: "Commit in the commit window first; a commitment is revealed once.",
  }),
  CommitmentMismatch: ({ committed, revealed }) => ({
    message: `The revealed update does not match the commitment (committed ${committed}, revealed values hash to ${revealed}).`,
    hint: "Reveal exactly the update CID, samples and salt you committed to (keep the salt commitUpdate returned).",
  }),
  SamplesOutOfRange: ({ samples, maxSamples }) => ({
    message: `${samples} samples is outside the job's range of 1 to ${maxSamples}.`,
    hint: "Report the samples you trained on, at most the job's per-round cap.",
  }),
  NotBondedYet: ({ round, firstRound }) => ({
    message: `Your stake joined after round ${round} began: it plays from round ${firstRound} on.`,
    hint: "Commit from that round on (stake must be bonded before a round starts to count in it).",
  }),
  NotRevealed: ({ round }) => ({
    message: `Only trainers who revealed on time in round ${round} may attest.`,
    hint: "Reveal in the reveal window to take part in the attestation.",
  }),
  RevealedLate: ({ round }) => ({
    message: `You revealed late in round ${round}: your update does not count and you may not attest.`,
    hint: "Reveal within the reveal window next time (a late reveal costs a small share of the stake).",
  }),
  AlreadyAttested: ({ round, tupleId }) => ({
    message: `You already attested in round ${round} (tuple ${tupleId}).`,
    hint: "One attestation per trainer and round.",
  }),
  InvalidInclusion: ({ includedMask, includedSamples }) => ({
    message: `The inclusion mask ${includedMask} with ${includedSamples} samples is inconsistent.`,
    hint: "Include at least one trainer, with between one sample per included trainer and maxSamples each.",
  }),
  InvalidSlashMask: ({ includedMask, slashMask }) => ({
    message: `The slash mask ${slashMask} names trainers the inclusion mask ${includedMask} includes.`,
    hint: "An update that failed its replay audit is excluded: slash it or include it, not both (use the aggregation result's masks).",
  }),
  FinalizeTooEarly: ({ round, finalizableAt }) => ({
    message: `Round ${round} cannot be finalized before ${time(finalizableAt)}.`,
    hint: "Wait for the attest window to close (or until the outcome can no longer change).",
  }),
  NotLeadingTuple: ({ round, tupleId, leaderTupleId }) => ({
    message: `The tuple given to finalize round ${round} is tuple ${tupleId}, not the leading tuple ${leaderTupleId}.`,
    hint: "Pass the leading tuple from the round's Attested events (finalizeRound reads it for you).",
  }),
  SlashTooEarly: ({ round, allowedAt }) => ({
    message: `A missing reveal of round ${round} can be slashed from ${time(allowedAt)} on.`,
    hint: "Wait for the attest window to close: late reveals are accepted until then.",
  }),
  NothingToSlash: ({ jobId, round, trainer }) => ({
    message: `Trainer ${trainer} has nothing to slash from round ${round} of job ${jobId}.`,
    hint:
      "Only a trainer that committed and did not reveal, or whose update the round's winning tuple names in its slash " +
      "mask (not settled yet), can be slashed, once.",
  }),
  NothingToSettle: ({ jobId, trainer }) => ({
    message: `Trainer ${trainer} of job ${jobId} has no reveal left to settle.`,
    hint: "Its last reveal was settled already (or it never revealed on time).",
  }),
  // TrainingJobs: rewards and results
  NoRoundsGiven: () => ({ message: "No rounds were given to claim.", hint: "Name the rounds to claim (claimRewards finds them for you)." }),
  RoundNotFinalized: ({ round, currentRound }) => ({
    message: `Round ${round} is not final yet (the current round is ${currentRound}).`,
    hint: "Claim after the round is finalized.",
  }),
  RoundFailed: ({ round }) => ({
    message: `Round ${round} failed: no aggregate won (quorum of the attested weight, participation floor).`,
    hint: "Its reward rolled over into the next round; there is nothing to claim.",
  }),
  NotAttested: ({ round }) => ({
    message: `You did not attest in round ${round}.`,
    hint: "Only attesters of the winning aggregate are paid.",
  }),
  AttestedLosingTuple: ({ round, attestedTupleId, winningTupleId }) => ({
    message: `In round ${round} you attested tuple ${attestedTupleId}, but tuple ${winningTupleId} won.`,
    hint: "Only attesters of the winning aggregate are paid; check your aggregation against the job's rule.",
  }),
  NotIncluded: ({ round, trainerIndex }) => ({
    message: `The winning aggregate of round ${round} does not include trainer index ${trainerIndex}.`,
    hint: "Only included trainers are paid: your update was filtered out or not revealed.",
  }),
  AlreadyClaimed: ({ round }) => ({ message: `The reward of round ${round} was already claimed.`, hint: "Each round pays once." }),
  ClaimExceedsReward: ({ round, paidAfter, reward }) => ({
    message: `This claim would bring round ${round}'s payments to ${amount(paidAfter)}, above its reward of ${amount(reward)}.`,
    hint: "The winning tuple understated its samples, so its reward is exhausted.",
  }),
  ClaimsClosed: ({ round }) => ({
    message: `The unclaimed reward of round ${round} was swept: claims on it are over.`,
    hint: "Claim within CLAIM_ROUNDS rounds (or the claim period after the job's end); the trainer claims every round.",
  }),
  ClaimsStillOpen: ({ round, openUntilRound, openUntilTime }) => ({
    message:
      openUntilTime === 0n
        ? `Claims on round ${round} are open until round ${openUntilRound} starts.`
        : `Claims on round ${round} are open until round ${openUntilRound} starts or ${time(openUntilTime)}.`,
    hint: "Sweep after the claim deadline.",
  }),
  NothingToSweep: ({ round }) => ({
    message: `Round ${round} has nothing to sweep: it failed (its reward rolled over) or was swept already.`,
    hint: "Only a successful round's unclaimed reward is swept, once.",
  }),
  NothingToRefund: ({ jobId }) => ({
    message: `Job ${jobId} holds nothing for its sponsor nor to burn.`,
    hint: "Everything was paid out or refunded already (sweep finished rounds first: their unclaimed rewards go to the carry).",
  }),
  NoSuccessfulRound: ({ jobId }) => ({
    message: `No round of job ${jobId} succeeded, so there is no trained model to publish.`,
    hint: "The base model is unchanged.",
  }),
  ResultAlreadyPublished: ({ jobId, assetId }) => ({
    message: `The result of job ${jobId} was already published as asset ${assetId}.`,
    hint: `Read the asset (getAsset ${assetId}) to see its state.`,
  }),
  // ERC-721 (asset NFTs)
  ERC721IncorrectOwner: ({ sender, tokenId, owner }) => ({
    message: `Account ${sender} does not own asset ${tokenId} (owner is ${owner}).`,
    hint: "Use the owner's key to transfer the asset NFT.",
  }),
  ERC721InsufficientApproval: ({ operator, tokenId }) => ({
    message: `Account ${operator} is not approved to move asset ${tokenId}.`,
    hint: "Ask the owner to approve this account, or transfer with the owner's key.",
  }),
  ERC721InvalidApprover: ({ approver }) => ({
    message: `${approver} cannot approve asset transfers.`,
    hint: "Approve from the owner's account.",
  }),
  ERC721InvalidOperator: ({ operator }) => ({ message: `${operator} cannot be an operator.`, hint: "Name a non-zero operator address." }),
  ERC721InvalidOwner: ({ owner }) => ({ message: `${owner} cannot own assets.`, hint: "Name a non-zero owner address." }),
  ERC721InvalidReceiver: ({ receiver }) => ({
    message: `Asset NFTs cannot be sent to ${receiver}.`,
    hint: "Send to an account, or to a contract that implements onERC721Received.",
  }),
  ERC721InvalidSender: ({ sender }) => ({ message: `${sender} cannot send asset NFTs.`, hint: "Send from the owner's account." }),
  ERC721NonexistentToken: ({ tokenId }) => ({
    message: `Asset ${tokenId} does not exist.`,
    hint: "Check the id (listAssets lists them); asset ids start at 1.",
  }),
  // Datatoken
  AssetNotActive: ({ assetId, state }) => ({
    message: `Asset ${assetId} is ${assetStateName(state)}, not active.`,
    hint: "Only active assets can be listed, bought, dispensed or ordered; its owner can make it active again unless it is revoked.",
  }),
  InvalidConsumer: () => ({ message: "An order needs a consumer address.", hint: "Name the consumer (not the zero address)." }),
  NotRegistry: ({ caller }) => ({ message: `Only the asset registry may initialize a datatoken (caller ${caller}).`, hint: bug }),
  // ERC-20 and ERC-2612 (datatokens and payment tokens)
  ERC20InsufficientBalance: ({ sender, balance, needed }) => ({
    message: `Account ${sender} holds ${amount(balance)} of the token but ${amount(needed)} are needed.`,
    hint:
      "Top up the account (on a devnet, the test token's faucet). " +
      "If it is the asset owner's account, the listing ran out of datatokens: the owner mints more.",
  }),
  ERC20InsufficientAllowance: ({ spender, allowance, needed }) => ({
    message: `${spender} may move ${amount(allowance)} of the token but ${amount(needed)} are needed.`,
    hint:
      "Approve the spender first; if the spender is the Marketplace selling an asset owner's datatokens, " +
      "the owner approves it (setListing does).",
  }),
  ERC20InvalidApprover: ({ approver }) => ({
    message: `${approver} cannot approve token transfers.`,
    hint: "Approve from a non-zero account.",
  }),
  ERC20InvalidReceiver: ({ receiver }) => ({ message: `Tokens cannot be sent to ${receiver}.`, hint: "Name a non-zero recipient." }),
  ERC20InvalidSender: ({ sender }) => ({ message: `${sender} cannot send tokens.`, hint: "Send from a non-zero account." }),
  ERC20InvalidSpender: ({ spender }) => ({ message: `${spender} cannot be a spender.`, hint: "Name a non-zero spender." }),
  ERC2612ExpiredSignature: ({ deadline }) => ({
    message: `The permit expired at ${time(deadline)}.`,
    hint: "Sign a new permit with a later deadline (buyAccess signs one for you).",
  }),
  ERC2612InvalidSigner: ({ signer, owner }) => ({
    message: `The permit was signed by ${signer}, not by the token holder ${owner}.`,
    hint: "Sign the permit with the holder's key, for this token and this chain id.",
  }),
  InvalidAccountNonce: ({ account, currentNonce }) => ({
    message: `The permit's nonce is stale for ${account} (the token expects nonce ${currentNonce}).`,
    hint: "Sign a new permit; another permit of this account was used in the meantime.",
  }),
  ECDSAInvalidSignature: () => ({ message: "The permit signature is invalid.", hint: "Sign the permit again with the holder's key." }),
  ECDSAInvalidSignatureLength: ({ length }) => ({ message: `The permit signature has ${length} bytes.`, hint: "Sign the permit again." }),
  ECDSAInvalidSignatureS: ({ s }) => ({ message: `The permit signature has a malleable s value (${s}).`, hint: "Sign the permit again." }),
  InvalidShortString: () => ({ message: "A token name is not a short string.", hint: bug }),
  StringTooLong: ({ str }) => ({ message: `The string "${str}" is too long for the token.`, hint: bug }),
  // Marketplace
  NoDatatoken: ({ assetId }) => ({
    message: `Asset ${assetId} has no datatoken yet.`,
    hint: "Its owner creates one (createDatatoken) before listing it or opening a dispenser.",
  }),
  NotListed: ({ assetId }) => ({
    message: `Asset ${assetId} is not for sale.`,
    hint: "Check the asset (getAsset, getListing): it may have a dispenser instead, or its owner may open a listing.",
  }),
  NoDispenser: ({ assetId }) => ({
    message: `Asset ${assetId} has no open dispenser.`,
    hint: "Buy access instead, or ask its owner to open a dispenser.",
  }),
  ZeroPrice: () => ({ message: "A listing price must be above zero.", hint: "Open a dispenser (setDispenser) to give an asset away." }),
  InvalidPaymentToken: ({ token }) => ({
    message: `${token} cannot be used as a payment token.`,
    hint: "Use an ERC-20 contract that answers decimals(), other than the asset's own datatoken.",
  }),
  PaymentTokenMismatch: ({ assetId, expected, actual }) => ({
    message: `The listing of asset ${assetId} is now paid in ${actual}, not ${expected}.`,
    hint: "The listing changed since it was read: read it again and retry.",
  }),
  ZeroCount: () => ({ message: "The number of tokens must be at least 1.", hint: "Ask for one or more whole tokens." }),
  PaymentTooHigh: ({ total, maxPayment }) => ({
    message: `The purchase now costs ${amount(total)}, above the maximum of ${amount(maxPayment)}.`,
    hint: "The price or the fees changed since the quote: quote again, or raise the maximum payment.",
  }),
  MarketFeeTooHigh: ({ bps, cap }) => ({
    message: `A consume-market fee of ${bps} basis points exceeds the cap of ${cap}.`,
    hint: `Use at most ${cap} basis points.`,
  }),
  ProtocolFeeTooHigh: ({ bps, cap }) => ({
    message: `A protocol fee of ${bps} basis points exceeds the cap of ${cap}.`,
    hint: `Use at most ${cap} basis points.`,
  }),
  MissingMarketFeeRecipient: () => ({
    message: "A consume-market fee needs a recipient.",
    hint: "Name the fee recipient, or set the fee to 0.",
  }),
  InvalidTreasury: ({ treasury }) => ({ message: `${treasury} cannot receive the protocol fee.`, hint: "Name a non-zero treasury." }),
  InvalidDispenserLimit: ({ maxPerWallet }) => ({
    message: `A dispenser limit of ${maxPerWallet} tokens per wallet is not allowed.`,
    hint: "Use a limit of at least 1, or close the dispenser (closeDispenser).",
  }),
  DispenserLimitExceeded: ({ assetId, wallet, requested, remaining }) => ({
    message:
      `The dispenser of asset ${assetId} gives ${wallet} at most ${remaining} more token${remaining === 1n ? "" : "s"}; ` +
      `${requested} were requested.`,
    hint: remaining > 0n ? `Ask for at most ${remaining}.` : "This wallet has had its share; buy access instead.",
  }),
  OwnableInvalidOwner: ({ owner }) => ({ message: `${owner} cannot own the Marketplace.`, hint: "Name a non-zero owner." }),
  OwnableUnauthorizedAccount: ({ account }) => ({
    message: `Account ${account} is not the Marketplace's owner.`,
    hint: "Only the protocol administrator may change protocol settings.",
  }),
  ReentrancyGuardReentrantCall: () => ({
    message: "A reentrant call into the Marketplace was blocked.",
    hint: "The payment token called back into the Marketplace; use a plain ERC-20 payment token.",
  }),
  SafeERC20FailedOperation: ({ token }) => ({
    message: `Token ${token} refused a transfer.`,
    hint: "The token returned false; check the balance and allowance it expects, or use another payment token.",
  }),
  SafeCastOverflowedUintDowncast: ({ bits, value }) => ({
    message: `The value ${value} does not fit in ${bits} bits.`,
    hint: bug,
  }),
  PackedValueOverflow: ({ value, bits }) => ({
    message: `The value ${value} does not fit the ${bits}-bit field it is stored in.`,
    hint: bug,
  }),
};

/** A contract call or transaction reverted with one of the protocol's custom errors. */
export class ContractRevertedError<name extends ContractErrorName = ContractErrorName> extends BaseError {
  override name = "ContractRevertedError";
  static override readonly code: string = "CONTRACT_REVERTED";
  /** The Solidity error's name, e.g. "NotAssetOwner". */
  readonly errorName: name;
  /** The error's arguments, keyed by their Solidity names. */
  readonly args: ContractErrorArgs<name>;
  /** The contract and function the client called (the error may come from a contract it called in turn). */
  readonly contractAddress: Address | undefined;
  readonly functionName: string | undefined;

  constructor(params: {
    errorName: name;
    args: ContractErrorArgs<name>;
    contractAddress?: Address | undefined;
    functionName?: string | undefined;
    cause?: unknown;
  }) {
    const { message, hint } = (explanations[params.errorName] as Explain<name>)(params.args);
    super(message, {
      details: `${params.errorName}(${Object.entries(params.args as Record<string, unknown>)
        .map(([key, value]) => `${key}: ${String(value)}`)
        .join(
          ", ",
        )})${params.functionName ? ` in ${params.functionName}` : ""}${params.contractAddress ? ` on ${params.contractAddress}` : ""}`,
      hint,
      cause: params.cause,
    });
    this.errorName = params.errorName;
    this.args = params.args;
    this.contractAddress = params.contractAddress;
    this.functionName = params.functionName;
  }

  /** Narrows to one error name: `if (error.is("NotListed")) error.args.assetId`. */
  is<other extends ContractErrorName>(errorName: other): this is ContractRevertedError<other> {
    return (this.errorName as ContractErrorName) === errorName;
  }
}

/** The asset id names no asset (`AssetNotFound`). */
export class AssetNotFoundError extends ContractRevertedError<"AssetNotFound"> {
  override name = "AssetNotFoundError";
  static override readonly code: string = "ASSET_NOT_FOUND";
  get assetId(): bigint {
    return this.args.assetId;
  }
}

/** The account is not the asset NFT's current owner. */
export class NotAssetOwnerError extends ContractRevertedError<"NotAssetOwner"> {
  override name = "NotAssetOwnerError";
  static override readonly code: string = "NOT_ASSET_OWNER";
}

/** The job id names no job (`JobNotFound`). */
export class JobNotFoundError extends ContractRevertedError<"JobNotFound"> {
  override name = "JobNotFoundError";
  static override readonly code: string = "JOB_NOT_FOUND";
  get jobId(): bigint {
    return this.args.jobId;
  }
}

/** Decodes revert data against every protocol error; null when the selector is not one of them. */
export function decodeContractError(data: Hex): { errorName: ContractErrorName; args: Record<string, unknown> } | null {
  if (data.length < 10) return null;
  try {
    const decoded = decodeErrorResult({ abi: protocolErrorsAbi, data });
    const item =
      protocolErrorsAbi.find((error) => error.name === decoded.errorName && decoded.abiItem === error) ??
      protocolErrorsAbi.find((error) => error.name === decoded.errorName)!;
    const values = (decoded.args ?? []) as readonly unknown[];
    const args = Object.fromEntries(item.inputs.map((input, index) => [input.name, values[index]]));
    return { errorName: decoded.errorName as ContractErrorName, args };
  } catch {
    return null;
  }
}

/**
 * The typed error for a decoded revert: AssetNotFoundError, NotAssetOwnerError, InsufficientBalanceError,
 * InsufficientAllowanceError, or a ContractRevertedError keyed by name.
 */
export function contractErrorFromRevert(params: {
  errorName: ContractErrorName;
  args: Record<string, unknown>;
  contractAddress?: Address | undefined;
  functionName?: string | undefined;
  cause?: unknown;
}): BaseError {
  const { errorName, args, contractAddress, functionName, cause } = params;
  const common = { contractAddress, functionName, cause };
  switch (errorName) {
    case "AssetNotFound":
      return new AssetNotFoundError({ errorName, args: args as ContractErrorArgs<"AssetNotFound">, ...common });
    case "JobNotFound":
      return new JobNotFoundError({ errorName, args: args as ContractErrorArgs<"JobNotFound">, ...common });
    case "NotAssetOwner":
      return new NotAssetOwnerError({ errorName, args: args as ContractErrorArgs<"NotAssetOwner">, ...common });
    case "ERC20InsufficientBalance": {
      const typed = args as ContractErrorArgs<"ERC20InsufficientBalance">;
      const reverted = new ContractRevertedError({ errorName, args: typed, ...common });
      return new InsufficientBalanceError({
        account: typed.sender,
        balance: typed.balance,
        needed: typed.needed,
        purpose: functionName ? `${functionName}` : "the call",
        hint: reverted.hint,
        cause: reverted,
      });
    }
    case "ERC20InsufficientAllowance": {
      const typed = args as ContractErrorArgs<"ERC20InsufficientAllowance">;
      const reverted = new ContractRevertedError({ errorName, args: typed, ...common });
      return new InsufficientAllowanceError({
        spender: typed.spender,
        allowance: typed.allowance,
        needed: typed.needed,
        hint: reverted.hint,
        cause: reverted,
      });
    }
    default:
      return new ContractRevertedError({ errorName, args: args as never, ...common });
  }
}
